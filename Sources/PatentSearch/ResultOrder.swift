import PatentIndex

/// A sort key before the relevance order, as P002's `sort` names them.
public struct SortKey: Sendable, Equatable, Codable {
    public enum Field: String, Sendable, CaseIterable, Codable {
        case score = "SCORE"
        case publicationDate = "PBDT_YEARMONTHDAY"
        case applicationDate = "APD_YEARMONTHDAY"
        case grantDate = "ISD"
    }

    public var field: Field
    public var descending: Bool

    public init(_ field: Field, descending: Bool) {
        self.field = field
        self.descending = descending
    }
}

/// A hit before its PN is read.
struct Candidate {
    var score: Double
    var date: Int32
    var segment: Int
    var doc: Int32
    /// Its PN's first 16 bytes, read the first time a tie needs them (`CandidateOrder`).
    var pnKey: PNKey?
    /// Read only when a sort key needs them.
    var applicationDate: Int32 = 0
    var grantDate: Int32 = 0
}

/// The order of results: the request's sort keys, then the total relevance order of
/// QUERY.md §5 (score descending, publication date descending, PN ascending — PNs by their
/// UTF-8 bytes, `PNKey.precedes`). A date key puts undated patents last in either direction.
struct ResultOrder {
    let keys: [SortKey]
    private let needsApplicationDate: Bool
    private let needsGrantDate: Bool

    init(keys: [SortKey]) {
        self.keys = keys
        needsApplicationDate = keys.contains { $0.field == .applicationDate }
        needsGrantDate = keys.contains { $0.field == .grantDate }
    }

    func candidate(score: Double, segment: Segment, index: Int, doc: Int32) -> Candidate {
        var candidate = Candidate(score: score, date: segment.columns.value(Int(doc), .publicationDate), segment: index, doc: doc)
        if needsApplicationDate { candidate.applicationDate = segment.columns.value(Int(doc), .applicationDate) }
        if needsGrantDate { candidate.grantDate = segment.columns.value(Int(doc), .grantDate) }
        return candidate
    }

    /// Negative when `a` ranks first, positive when `b` does, 0 when only their PNs can
    /// tell (`CandidateOrder` then compares them).
    @inline(__always)
    func compare(_ a: Candidate, _ b: Candidate) -> Int {
        if keys.isEmpty {
            // Relevance order alone (nearly every search): no key loop.
            if a.score != b.score { return a.score > b.score ? -1 : 1 }
            return a.date == b.date ? 0 : (a.date > b.date ? -1 : 1)
        }
        for key in keys {
            let result: Int
            switch key.field {
            case .score: result = Self.compare(a.score, b.score, descending: key.descending)
            case .publicationDate: result = Self.compareDates(a.date, b.date, descending: key.descending)
            case .applicationDate: result = Self.compareDates(a.applicationDate, b.applicationDate, descending: key.descending)
            case .grantDate: result = Self.compareDates(a.grantDate, b.grantDate, descending: key.descending)
            }
            if result != 0 { return result }
        }
        let byScore = Self.compare(a.score, b.score, descending: true)
        return byScore != 0 ? byScore : Self.compare(a.date, b.date, descending: true)
    }

    private static func compare<T: Comparable>(_ a: T, _ b: T, descending: Bool) -> Int {
        if a == b { return 0 }
        return (a > b) == descending ? -1 : 1
    }

    private static func compareDates(_ a: Int32, _ b: Int32, descending: Bool) -> Int {
        if (a == 0) != (b == 0) { return a == 0 ? 1 : -1 }
        return compare(a, b, descending: descending)
    }
}
