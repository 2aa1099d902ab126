import Foundation
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

/// A matching document with what choosing and ranking need; its PN is read only when
/// a tie needs it.
struct Ranked {
    var candidate: Candidate
    let segment: Segment
    var applicationDate: Int32
    /// Position of the office in the collapse's authority list; `Int.max` when unlisted.
    var authorityRank: Int

    var pn: String { (try? segment.pn(Int(candidate.doc))) ?? "" }
}

extension Collapse {
    enum GroupKey: Hashable {
        case application(String)
        case family(Int32)
    }

    /// The group a document belongs to; nil when it is alone (no application number or
    /// no family id).
    func groupKey(segment: Segment, doc: Int, applicationKeys: [Int: String]) -> GroupKey? {
        switch kind {
        case .apno: return applicationKeys[doc].map(GroupKey.application)
        case .docdb: return familyKey(segment.value(doc, .docdbFamily))
        case .inpadoc: return familyKey(segment.value(doc, .inpadocFamily))
        case .extended: return familyKey(segment.value(doc, .extendedFamily))
        }
    }

    private func familyKey(_ id: Int32) -> GroupKey? { id > 0 ? .family(id) : nil }

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
            if a.authorityRank != b.authorityRank { return a.authorityRank < b.authorityRank }
            if a.candidate.date != b.candidate.date { return a.candidate.date > b.candidate.date }
        case .score:
            if a.candidate.score != b.candidate.score { return a.candidate.score > b.candidate.score }
        }
        return a.pn < b.pn
    }

}

/// Office-prefixed application numbers by document, read once per segment (segments
/// never change) and shared by the searches of a snapshot.
final class ApplicationKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var bySegment: [Int: [Int: String]] = [:]

    func keys(_ segment: Segment) -> [Int: String] {
        lock.lock()
        defer { lock.unlock() }
        if let keys = bySegment[segment.id] { return keys }
        let keys = Self.applicationKeys(segment)
        bySegment[segment.id] = keys
        return keys
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
