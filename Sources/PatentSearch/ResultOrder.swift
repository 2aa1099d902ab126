import PatentIndex

/// A sort key before the relevance order, as P002's `sort` names them.
public struct SortKey: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
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
    /// Read only when a sort key needs them.
    var applicationDate: Int32 = 0
    var grantDate: Int32 = 0
}

/// The order of results: the request's sort keys, then the total relevance order of
/// QUERY.md §5 (score descending, publication date descending, PN ascending). A date
/// key puts undated patents last in either direction.
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

    /// Negative when `a` ranks first, positive when `b` does, 0 when only PNs can tell.
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

/// Keeps the best `capacity` candidates without sorting everything (Tantivy's top-N
/// computer): candidates go to a buffer of twice the capacity; when it is full, a
/// selection keeps the best `capacity` and the worst of them becomes the threshold a
/// candidate must beat to enter — amortised a few comparisons per candidate, against a
/// heap's two per level. A PN is read only when an exact tie needs it or the candidate is
/// returned, and then once.
struct TopHits {
    let capacity: Int
    let order: ResultOrder
    private let readPN: (Candidate) -> String
    private var entries: [Entry] = []
    /// The worst kept entry after the last selection; nil before the first.
    private var threshold: Entry?
    /// The PNs read so far; entries point into it, so selection moves plain values only.
    private var pns: [String] = []
    private let bufferSize: Int

    private struct Entry {
        var candidate: Candidate
        /// Where its PN is in `pns`; −1 until read.
        var pn: Int32 = -1
    }

    init(capacity: Int, order: ResultOrder, pn: @escaping (Candidate) -> String) {
        self.capacity = capacity
        self.order = order
        readPN = pn
        bufferSize = capacity > Int.max / 2 ? Int.max : max(2 * capacity, capacity + 64)
    }

    /// False when a candidate with this score cannot enter (a threshold exists, the order
    /// starts with the score, and the threshold's score is higher): its columns need not
    /// be read.
    func mayAdmit(score: Double) -> Bool {
        guard capacity > 0 else { return false }
        guard let threshold else { return true }
        return !order.keys.isEmpty || score >= threshold.candidate.score
    }

    mutating func offer(_ candidate: Candidate) {
        guard capacity > 0 else { return }
        var entry = Entry(candidate: candidate)
        if var worst = threshold {
            let result = order.compare(candidate, worst.candidate)
            if result > 0 { return }
            if result == 0 {
                let kept = pn(of: &worst)
                threshold = worst
                guard pn(of: &entry) < kept else { return }
            }
        }
        entries.append(entry)
        if entries.count >= bufferSize { select() }
    }

    /// The kept candidates in order, with their PNs.
    mutating func sorted() -> [(candidate: Candidate, pn: String)] {
        if entries.count > capacity { select() }
        for index in entries.indices { _ = pn(at: index) }
        let (order, pns) = (self.order, self.pns)
        entries.sort { a, b in
            let result = order.compare(a.candidate, b.candidate)
            return result != 0 ? result < 0 : pns[Int(a.pn)] < pns[Int(b.pn)]
        }
        return entries.map { ($0.candidate, pns[Int($0.pn)]) }
    }

    /// Keeps the best `capacity` entries (quickselect with a median-of-three pivot) and
    /// makes the worst of them the threshold.
    private mutating func select() {
        let k = capacity - 1
        var low = 0
        var high = entries.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            // Median of three moved to `high` as the pivot.
            if precedes(mid, low) { entries.swapAt(mid, low) }
            if precedes(high, low) { entries.swapAt(high, low) }
            if precedes(mid, high) { entries.swapAt(mid, high) }
            var store = low
            for i in low..<high where precedes(i, high) {
                entries.swapAt(i, store)
                store += 1
            }
            entries.swapAt(store, high)
            if store == k { break }
            if k < store { high = store - 1 } else { low = store + 1 }
        }
        entries.removeLast(entries.count - capacity)
        threshold = entries[k]
    }

    /// An entry's PN, read on first use.
    private mutating func pn(of entry: inout Entry) -> String {
        if entry.pn >= 0 { return pns[Int(entry.pn)] }
        let pn = readPN(entry.candidate)
        entry.pn = Int32(pns.count)
        pns.append(pn)
        return pn
    }

    private mutating func pn(at index: Int) -> String {
        if entries[index].pn >= 0 { return pns[Int(entries[index].pn)] }
        var entry = entries[index]
        let pn = pn(of: &entry)
        entries[index] = entry
        return pn
    }

    /// True when the entry at `a` ranks before the one at `b`.
    private mutating func precedes(_ a: Int, _ b: Int) -> Bool {
        let result = order.compare(entries[a].candidate, entries[b].candidate)
        return result != 0 ? result < 0 : pn(at: a) < pn(at: b)
    }
}
