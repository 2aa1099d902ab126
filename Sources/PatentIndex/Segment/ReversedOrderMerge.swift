/// The reversed-term order of a merged dictionary (its term numbers sorted by their
/// terms read backwards, code point by code point), merged from the inputs' own orders
/// instead of sorting every term again: each input's order is walked once, its terms
/// mapped to their merged numbers (−1: dropped with their documents); a term several
/// inputs hold comes out once.
struct ReversedOrderMerge: Sequence, IteratorProtocol {
    let sources: [TermDictionary]
    /// Per input, the merged number of each of its terms.
    let numbers: [[Int32]]
    private var at: [Int]
    private var last: Int32 = -1

    init(sources: [TermDictionary], numbers: [[Int32]]) {
        self.sources = sources
        self.numbers = numbers
        at = Array(repeating: 0, count: sources.count)
    }

    mutating func next() -> UInt32? {
        while true {
            var best: Int?
            for k in sources.indices {
                // Terms no longer held by any document are skipped where they stand.
                while at[k] < sources[k].count, numbers[k][sources[k].reversedTerm(at[k])] < 0 { at[k] += 1 }
                guard at[k] < sources[k].count else { continue }
                if let b = best {
                    if Self.reversedPrecedes(sources[k].termBytes(sources[k].reversedTerm(at[k])),
                                             sources[b].termBytes(sources[b].reversedTerm(at[b]))) { best = k }
                } else {
                    best = k
                }
            }
            guard let k = best else { return nil }
            let number = numbers[k][sources[k].reversedTerm(at[k])]
            at[k] += 1
            if number != last {
                last = number
                return UInt32(number)
            }
        }
    }

    /// Whether `a` read backwards (code point by code point) sorts before `b` so read:
    /// code points compare as their UTF-8 bytes do.
    static func reversedPrecedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var i = a.count, j = b.count
        while i > 0, j > 0 {
            var si = i - 1
            while si > 0, a[si] & 0xC0 == 0x80 { si -= 1 }
            var sj = j - 1
            while sj > 0, b[sj] & 0xC0 == 0x80 { sj -= 1 }
            let x = UnsafeRawBufferPointer(rebasing: a[si..<i]), y = UnsafeRawBufferPointer(rebasing: b[sj..<j])
            if !x.elementsEqual(y) { return x.lexicographicallyPrecedes(y) }
            i = si
            j = sj
        }
        return i == 0 && j > 0
    }
}
