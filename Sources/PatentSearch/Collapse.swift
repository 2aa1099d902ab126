import PatentIndex

/// Family collapse of API.md "Collapse": one representative per group among the
/// matching patents; `total` then counts groups, and order, offset and rows apply to
/// the representatives.
public struct Collapse: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case apno = "APNO", docdb = "DOCDB", inpadoc = "INPADOC", extended = "EXTEND"
    }

    public enum By: String, Sendable, CaseIterable, Codable {
        case applicationDate = "APD", publicationDate = "PBD", authority = "AUTHORITY", score = "SCORE"
    }

    public enum Order: String, Sendable, CaseIterable, Codable {
        case oldest = "OLDEST", latest = "LATEST"
    }

    public static let defaultAuthorities = ["CN", "US", "EP", "JP", "KR"]

    public var kind: Kind
    /// SCORE when the request names none (API.md).
    public var by: By = .score
    /// LATEST by default; ignored for AUTHORITY and SCORE (QUERY.md §8).
    public var order: Order = .latest
    public var authorities: [String] = Collapse.defaultAuthorities

    public init(kind: Kind, by: By = .score, order: Order = .latest, authorities: [String] = Collapse.defaultAuthorities) {
        self.kind = kind
        self.by = by
        self.order = order
        self.authorities = authorities
    }
}

/// A matching document with what choosing and ranking need.
struct Ranked {
    var candidate: Candidate
    var pn: String
    var applicationDate: Int32
    var office: String
}

extension Collapse {
    /// The group a document belongs to; nil when it is alone (no application number or
    /// no family id).
    func groupKey(segment: Segment, doc: Int, applicationKeys: [Int: String]) -> String? {
        switch kind {
        case .apno: return applicationKeys[doc]
        case .docdb: return familyKey(segment.value(doc, .docdbFamily))
        case .inpadoc: return familyKey(segment.value(doc, .inpadocFamily))
        case .extended: return familyKey(segment.value(doc, .extendedFamily))
        }
    }

    private func familyKey(_ id: Int32) -> String? { id > 0 ? String(id) : nil }

    /// True when `a` is the better representative: by date (undated last), by the
    /// authority list (unlisted last, then latest PBD), or by score; ties by PN.
    func prefers(_ a: Ranked, over b: Ranked) -> Bool {
        switch by {
        case .applicationDate, .publicationDate:
            let da = by == .applicationDate ? a.applicationDate : a.candidate.date
            let db = by == .applicationDate ? b.applicationDate : b.candidate.date
            if (da == 0) != (db == 0) { return db == 0 }
            if da != db { return order == .latest ? da > db : da < db }
        case .authority:
            let ra = authorities.firstIndex(of: a.office) ?? Int.max
            let rb = authorities.firstIndex(of: b.office) ?? Int.max
            if ra != rb { return ra < rb }
            if a.candidate.date != b.candidate.date { return a.candidate.date > b.candidate.date }
        case .score:
            if a.candidate.score != b.candidate.score { return a.candidate.score > b.candidate.score }
        }
        return a.pn < b.pn
    }

    /// Office-prefixed application numbers of a segment's documents, from the keyword dictionary.
    static func applicationKeys(_ segment: Segment) -> [Int: String] {
        guard let dictionary = segment.dictionary(.applicationNumber) else { return [:] }
        var keys: [Int: String] = [:]
        for i in 0..<dictionary.count {
            let term = dictionary.term(i)
            guard term.count > 2, term.prefix(2).allSatisfy({ $0.isLetter && $0.isUppercase }) else { continue }
            var postings = dictionary.postings(i, positional: false)
            while (try? postings.next()) == true { keys[postings.doc] = term }
        }
        return keys
    }
}
