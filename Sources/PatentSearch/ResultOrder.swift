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

/// Keeps the best `capacity` candidates without sorting everything: candidates are
/// appended until `capacity` are kept, then kept in a bounded heap whose root is the
/// worst kept candidate (built once, in linear time). A PN is read only when an exact
/// tie needs it or the candidate is returned, and then once.
struct TopHits {
    let capacity: Int
    let order: ResultOrder
    private let readPN: (Candidate) -> String
    private var heap: [Entry] = []
    /// Whether `heap` is a heap yet (it is filled in arrival order first).
    private var isHeap = false
    /// The PNs read so far; entries point into it, so the heap moves plain values only.
    private var pns: [String] = []

    private struct Entry {
        var candidate: Candidate
        /// Where its PN is in `pns`; −1 until read.
        var pn: Int32 = -1
    }

    init(capacity: Int, order: ResultOrder, pn: @escaping (Candidate) -> String) {
        self.capacity = capacity
        self.order = order
        readPN = pn
    }

    /// False when a candidate with this score cannot enter (the heap is full, the order
    /// starts with the score, and the worst kept score is higher): its columns need not
    /// be read.
    func mayAdmit(score: Double) -> Bool {
        guard capacity > 0 else { return false }
        return !isHeap || !order.keys.isEmpty || score >= heap[0].candidate.score
    }

    mutating func offer(_ candidate: Candidate) {
        guard capacity > 0 else { return }
        if !isHeap {
            heap.append(Entry(candidate: candidate))
            if heap.count == capacity {
                for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
                isHeap = true
            }
            return
        }
        let result = order.compare(candidate, heap[0].candidate)
        if result > 0 { return }
        var entry = Entry(candidate: candidate)
        if result == 0 {
            guard pn(of: &entry) < pn(at: 0) else { return }
        }
        heap[0] = entry
        siftDown(0)
    }

    /// The kept candidates in order, with their PNs.
    mutating func sorted() -> [(candidate: Candidate, pn: String)] {
        for index in heap.indices { _ = pn(at: index) }
        var entries = heap
        let (order, pns) = (self.order, self.pns)
        entries.sort { a, b in
            let result = order.compare(a.candidate, b.candidate)
            return result != 0 ? result < 0 : pns[Int(a.pn)] < pns[Int(b.pn)]
        }
        return entries.map { ($0.candidate, pns[Int($0.pn)]) }
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
        if heap[index].pn >= 0 { return pns[Int(heap[index].pn)] }
        var entry = heap[index]
        let pn = pn(of: &entry)
        heap[index] = entry
        return pn
    }

    /// True when the entry at `a` ranks before the one at `b`.
    private mutating func precedes(_ a: Int, _ b: Int) -> Bool {
        let result = order.compare(heap[a].candidate, heap[b].candidate)
        return result != 0 ? result < 0 : pn(at: a) < pn(at: b)
    }

    // The root is the entry that ranks last.
    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var last = parent
            if left < heap.count, precedes(last, left) { last = left }
            if right < heap.count, precedes(last, right) { last = right }
            if last == parent { return }
            heap.swapAt(parent, last)
            parent = last
        }
    }
}
