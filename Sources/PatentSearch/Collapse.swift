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
        return PNKey.precedes(a.segment.pnKey(Int(a.candidate.doc)), b.segment.pnKey(Int(b.candidate.doc))) { (a.pn, b.pn) }
    }

}

/// The collapse groups of each document as dense integers 1…`count` (0: alone — no
/// application number or no family id), the same group the same number in every segment:
/// application numbers (office-prefixed terms) for APNO, the family id columns for the
/// family kinds. Read once per segment and kind (segments never change) and shared by the
/// searches of a snapshot, so a search keeps its representatives in flat arrays indexed
/// by group instead of hashing family ids.
final class GroupIDCache: @unchecked Sendable {
    private let lock = NSLock()
    private var bySegment: [Collapse.Kind: [Int: [Int32]]] = [:]
    private var applicationIDs: [String: Int32] = [:]
    private var familyIDs: [Collapse.Kind: [Int32: Int32]] = [:]

    /// The segment's group per document, and how many groups the snapshot's segments read
    /// so far hold (an upper bound for every group id handed out).
    func ids(_ segment: Segment, kind: Collapse.Kind) -> (ids: [Int32], count: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let known = bySegment[kind]?[segment.id] { return (known, groupCount(kind)) }
        var byDoc = [Int32](repeating: 0, count: segment.documentCount)
        switch kind {
        case .apno:
            if let dictionary = segment.dictionary(.applicationNumber) {
                for i in 0..<dictionary.count {
                    let term = dictionary.term(i)
                    guard term.count > 2, term.prefix(2).allSatisfy({ $0.isLetter && $0.isUppercase }) else { continue }
                    let id = applicationIDs[term] ?? Int32(applicationIDs.count + 1)
                    applicationIDs[term] = id
                    var postings = dictionary.postings(i, positional: false)
                    while (try? postings.next()) == true { byDoc[postings.doc] = id }
                }
            }
        case .docdb, .inpadoc, .extended:
            let column: Column = kind == .docdb ? .docdbFamily : kind == .inpadoc ? .inpadocFamily : .extendedFamily
            let values = segment.columns.values(column)
            var ids = familyIDs[kind] ?? [:]
            for doc in 0..<segment.documentCount {
                let family = values[Int32(doc)]
                guard family > 0 else { continue }
                if let id = ids[family] {
                    byDoc[doc] = id
                } else {
                    let id = Int32(ids.count + 1)
                    ids[family] = id
                    byDoc[doc] = id
                }
            }
            familyIDs[kind] = ids
        }
        bySegment[kind, default: [:]][segment.id] = byDoc
        return (byDoc, groupCount(kind))
    }

    private func groupCount(_ kind: Collapse.Kind) -> Int {
        kind == .apno ? applicationIDs.count : familyIDs[kind]?.count ?? 0
    }
}

/// A number per collapse group (−1 until set): a flat array over the snapshot's groups
/// when the matches are many, a dictionary when they are few against the groups (a
/// search with a few hundred matches should not clear an array of a million groups).
struct GroupSlots {
    private var flat: [Int32]?
    private var hashed: [Int: Int] = [:]
    private let matches: Int
    private var decided = false

    init(matches: Int) { self.matches = matches }

    /// Makes room for groups 1…`groups` (called per segment, as segments bring groups).
    /// The first call chooses the array or the dictionary for the whole search.
    mutating func reserve(groups: Int) {
        if !decided {
            decided = true
            if matches &* 16 >= groups { flat = [] }
        }
        guard var array = flat else { return }
        flat = nil
        if array.count < groups + 1 { array += [Int32](repeating: -1, count: groups + 1 - array.count) }
        flat = array
    }

    subscript(group: Int) -> Int {
        get { flat.map { Int($0[group]) } ?? hashed[group] ?? -1 }
        set {
            if flat != nil { flat![group] = Int32(newValue) } else { hashed[group] = newValue }
        }
    }
}
