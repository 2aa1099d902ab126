/// A set of a segment's documents, one bit each, in a buffer of its own (an array would
/// be checked for uniqueness at every insertion): the matches a date-order walk tests, and
/// the documents a wildcard's expansions have reached.
final class DocumentBitmap {
    private let words: UnsafeMutableBufferPointer<UInt64>
    let documents: Int

    init(documents: Int) {
        self.documents = documents
        words = .allocate(capacity: (documents + 63) / 64)
        words.initialize(repeating: 0)
    }

    convenience init(_ docs: [Int32], documents: Int) {
        self.init(documents: documents)
        for doc in docs { insert(doc) }
    }

    deinit { words.deallocate() }

    /// Adds `doc`; false when it was there already or is not a document of the segment.
    @inline(__always) @discardableResult
    func insert(_ doc: Int32) -> Bool {
        guard doc >= 0, Int(doc) < documents else { return false }
        let bit = UInt64(1) << UInt64(doc & 63)
        let word = Int(doc) >> 6
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        return true
    }

    /// `doc` is a document of the segment (below `documents`).
    @inline(__always)
    func contains(_ doc: Int32) -> Bool { words[Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0 }

    /// Calls `body` with each document in the set, ascending (set bits read off word by word).
    func forEach(_ body: (Int32) -> Void) {
        for (word, bits) in words.enumerated() where bits != 0 {
            var rest = bits
            while rest != 0 {
                body(Int32(word << 6 | rest.trailingZeroBitCount))
                rest &= rest - 1
            }
        }
    }
}
