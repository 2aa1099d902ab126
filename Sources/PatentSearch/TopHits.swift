import PatentIndex

/// Keeps the best `capacity` candidates without sorting everything (Tantivy's top-N
/// computer): candidates go to a buffer of twice the capacity; when it is full, a
/// selection keeps the best `capacity` and the worst of them becomes the threshold a
/// candidate must beat to enter — amortised a few comparisons per candidate, against a
/// heap's two per level. A PN key is read the first time a tie on score and date needs it
/// and kept with its candidate; PNs are read only where the keys are equal too.
struct TopHits<PNs: PNSource> {
    let capacity: Int
    private let order: CandidateOrder<PNs>
    private var entries: [Candidate] = []
    /// The worst kept candidate after the last selection; nil before the first.
    private var threshold: Candidate?
    private let bufferSize: Int

    init(capacity: Int, order: ResultOrder, pns: PNs) {
        self.capacity = capacity
        self.order = CandidateOrder(order: order, pns: pns)
        bufferSize = capacity > Int.max / 2 ? Int.max : max(2 * capacity, capacity + 64)
    }

    /// False when a candidate with this score cannot enter (a threshold exists, the order
    /// starts with the score, and the threshold's score is higher): its columns need not
    /// be read.
    func mayAdmit(score: Double) -> Bool {
        guard capacity > 0 else { return false }
        guard let minimumScore else { return true }
        return score >= minimumScore
    }

    /// The score a candidate must reach to enter in relevance order (nil before the first
    /// selection, or when sort keys come first): one scoring below it cannot enter.
    var minimumScore: Double? {
        guard order.order.keys.isEmpty else { return nil }
        return threshold?.score
    }

    mutating func offer(_ candidate: Candidate) {
        guard capacity > 0 else { return }
        var candidate = candidate
        if threshold != nil, !order.precedes(&candidate, &threshold!) { return }
        entries.append(candidate)
        if entries.count >= bufferSize { select() }
    }

    /// The kept candidates in order.
    mutating func sorted() -> [Candidate] {
        if entries.count > capacity { select() }
        let order = self.order
        if order.order.keys.isEmpty, entries.count <= Int(UInt32.max) {
            entries = order.sortedByRelevance(entries)
        } else {
            entries.withUnsafeMutableBufferPointer { order.sort($0) }
        }
        return entries
    }

    /// Keeps the best `capacity` entries and makes the worst of them the threshold.
    private mutating func select() {
        let (order, k) = (self.order, capacity - 1)
        entries.withUnsafeMutableBufferPointer { buffer in
            var (low, high) = (0, buffer.count - 1)
            while low < high {
                let pivot = order.partition(buffer, low, high)
                if pivot == k { break }
                if k < pivot { high = pivot - 1 } else { low = pivot + 1 }
            }
        }
        entries.removeLast(entries.count - capacity)
        threshold = entries[k]
    }
}

/// Where candidates' PN keys and PNs are read: the segments of a search, or a test's table.
protocol PNSource {
    func pnKey(_ candidate: Candidate) -> PNKey
    func pn(_ candidate: Candidate) -> String
}

/// A search's segments as a `PNSource`.
struct SegmentPNs: PNSource {
    let segments: [Segment]

    @inline(__always)
    func pnKey(_ candidate: Candidate) -> PNKey { segments[candidate.segment].pnKey(Int(candidate.doc)) }

    func pn(_ candidate: Candidate) -> String { (try? segments[candidate.segment].pn(Int(candidate.doc))) ?? "" }
}

/// The total order of candidates: `ResultOrder`, then PN keys, then the PNs themselves
/// where the keys are equal (keys and PNs read as ties need them: reading a key for every
/// kept candidate cost more than the ties). Sorts and partitions buffers of
/// candidates in place — a quicksort on plain values: the library's stable sort, through a
/// closure, cost more than the rest of a search returning 1,000 hits.
struct CandidateOrder<PNs: PNSource> {
    let order: ResultOrder
    let pns: PNs

    /// Whether `a` ranks before `b`; reads (and keeps) their PN keys when a tie needs them.
    @inline(__always)
    func precedes(_ a: inout Candidate, _ b: inout Candidate) -> Bool {
        let result = order.compare(a, b)
        guard result == 0 else { return result < 0 }
        return PNKey.precedes(key(&a), key(&b)) { (pns.pn(a), pns.pn(b)) }
    }

    @inline(__always)
    private func key(_ candidate: inout Candidate) -> PNKey {
        if let key = candidate.pnKey { return key }
        let key = pns.pnKey(candidate)
        candidate.pnKey = key
        return key
    }

    /// The same for two entries of a buffer.
    @inline(__always)
    func precedes(_ buffer: UnsafeMutableBufferPointer<Candidate>, _ i: Int, _ j: Int) -> Bool {
        precedes(&buffer[i], &buffer[j])
    }

    /// Partitions `buffer[low...high]` around a median-of-three pivot; returns where the
    /// pivot ends: everything before it precedes it, nothing after it does.
    func partition(_ buffer: UnsafeMutableBufferPointer<Candidate>, _ low: Int, _ high: Int) -> Int {
        let mid = low + (high - low) / 2
        // Median of three moved to `high` as the pivot.
        if precedes(buffer, mid, low) { buffer.swapAt(mid, low) }
        if precedes(buffer, high, low) { buffer.swapAt(high, low) }
        if precedes(buffer, mid, high) { buffer.swapAt(mid, high) }
        var store = low
        for i in low..<high where precedes(buffer, i, high) {
            buffer.swapAt(i, store)
            store += 1
        }
        buffer.swapAt(store, high)
        return store
    }

    /// `candidates` in relevance order (no sort keys): sorted as pairs of integers — the
    /// score's bits, the date and the entry's place — then each run of equal score and date
    /// by PN — cheaper than comparing candidates, where the sort was a quarter of a small
    /// search's time.
    func sortedByRelevance(_ candidates: [Candidate]) -> [Candidate] {
        var keys = candidates.indices.map { RelevanceKey(candidates[$0], index: $0) }
        keys.sort()
        var sorted = keys.map { candidates[$0.index] }
        sorted.withUnsafeMutableBufferPointer { sorted in
            var start = 0
            while start < keys.count {
                var end = start + 1
                while end < keys.count, keys[end].ranksWith(keys[start]) { end += 1 }
                if end - start > 1 { sort(UnsafeMutableBufferPointer(rebasing: sorted[start..<end])) }
                start = end
            }
        }
        return sorted
    }

    /// Sorts `buffer`: quicksort on the larger side's loop, insertion sort below 16
    /// entries, and the library's sort past a depth of 2·log₂ n (an input that keeps
    /// choosing bad pivots).
    func sort(_ buffer: UnsafeMutableBufferPointer<Candidate>) {
        // Ranges still to sort, each with the partitions its path may still take.
        var stack: [(low: Int, high: Int, depth: Int)] = [(0, buffer.count - 1, 2 * (Int.bitWidth - buffer.count.leadingZeroBitCount))]
        while let (start, end, limit) = stack.popLast() {
            var (low, high, depth) = (start, end, limit)
            while high - low >= 16 {
                guard depth > 0 else {
                    var rest = UnsafeMutableBufferPointer(rebasing: buffer[low...high])
                    rest.sort { a, b in
                        var (a, b) = (a, b)
                        return precedes(&a, &b)
                    }
                    low = high
                    break
                }
                depth -= 1
                let pivot = partition(buffer, low, high)
                // The smaller side waits on the stack; the larger is looped on.
                if pivot - low < high - pivot {
                    stack.append((low, pivot - 1, depth))
                    low = pivot + 1
                } else {
                    stack.append((pivot + 1, high, depth))
                    high = pivot - 1
                }
            }
            guard low < high else { continue }
            for i in (low + 1)...high {
                var value = buffer[i]
                var j = i
                while j > low, precedes(&value, &buffer[j - 1]) {
                    buffer[j] = buffer[j - 1]
                    j -= 1
                }
                buffer[j] = value
            }
        }
    }
}

/// A candidate's place in relevance order as two integers: the score descending (its bits,
/// made to order as unsigned integers), then the date descending and the candidate's index.
private struct RelevanceKey: Comparable {
    let high: UInt64
    let low: UInt64

    init(_ candidate: Candidate, index: Int) {
        // −0 and +0 are one score; a non-negative double's bits order as it does.
        let score = candidate.score + 0.0
        let ascending = score.sign == .minus ? ~score.bitPattern : score.bitPattern | (1 << 63)
        high = ~ascending
        low = UInt64(~UInt32(bitPattern: candidate.date)) << 32 | UInt64(UInt32(truncatingIfNeeded: index))
    }

    var index: Int { Int(low & 0xFFFF_FFFF) }

    /// Whether both have the same score and date (only their PNs can order them).
    func ranksWith(_ other: RelevanceKey) -> Bool { high == other.high && low >> 32 == other.low >> 32 }

    static func < (a: RelevanceKey, b: RelevanceKey) -> Bool { a.high != b.high ? a.high < b.high : a.low < b.low }
}
