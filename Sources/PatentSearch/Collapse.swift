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
    /// The snapshot keeps its segments alive for the whole search; not retaining it here
    /// spares a reference count per matching document.
    unowned(unsafe) let segment: Segment
    var applicationDate: Int32
    /// Position of the office in the collapse's authority list; `Int.max` when unlisted.
    var authorityRank: Int

    var pn: String { (try? segment.pn(Int(candidate.doc))) ?? "" }
}

extension Collapse {
    /// The group a document belongs to — an application id (`applicationIDs`, see
    /// `ApplicationKeyCache`) or a family id; one search uses one kind, so the integers
    /// never mix. Nil when the document is alone (no application number or no family id).
    func groupKey(segment: Segment, doc: Int, applicationIDs: [Int32]) -> Int64? {
        let id: Int32
        switch kind {
        case .apno: id = doc < applicationIDs.count ? applicationIDs[doc] : 0
        case .docdb: id = segment.columns.value(doc, .docdbFamily)
        case .inpadoc: id = segment.columns.value(doc, .inpadocFamily)
        case .extended: id = segment.columns.value(doc, .extendedFamily)
        }
        return id > 0 ? Int64(id) : nil
    }

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

/// Office-prefixed application numbers as integers by document, read once per segment
/// (segments never change) and shared by the searches of a snapshot. The same number gets
/// the same id in every segment; 0 means none.
final class ApplicationKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var bySegment: [Int: [Int32]] = [:]
    private var ids: [String: Int32] = [:]

    func ids(_ segment: Segment) -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        if let known = bySegment[segment.id] { return known }
        var byDoc = [Int32](repeating: 0, count: segment.documentCount)
        if let dictionary = segment.dictionary(.applicationNumber) {
            for i in 0..<dictionary.count {
                let term = dictionary.term(i)
                guard term.count > 2, term.prefix(2).allSatisfy({ $0.isLetter && $0.isUppercase }) else { continue }
                let id = ids[term] ?? Int32(ids.count + 1)
                ids[term] = id
                var postings = dictionary.postings(i, positional: false)
                while (try? postings.next()) == true { byDoc[postings.doc] = id }
            }
        }
        bySegment[segment.id] = byDoc
        return byDoc
    }
}
