/// The order of documents that score alike (QUERY.md §5 without the score): publication
/// date descending (no date, stored as 0, last), then PN ascending (`PNKey`, then the PNs
/// where the keys are equal). Each segment stores its documents in this order (format 8),
/// so a query without scored terms takes its first k matches in it instead of ranking all
/// of them — Lucene's and Tantivy's index sorting, kept as a permutation beside the
/// documents rather than by renumbering them.
public enum DateOrder {
    /// Whether the document dated `dateA` with key `keyA` comes before the one dated `dateB`
    /// with key `keyB`; `pns` reads both PNs, only when the keys are equal.
    @inlinable
    public static func precedes(_ dateA: Int32, _ keyA: PNKey, _ dateB: Int32, _ keyB: PNKey, pns: () -> (String, String)) -> Bool {
        if dateA != dateB { return dateA > dateB }
        return PNKey.precedes(keyA, keyB, pns: pns)
    }

    /// A segment's documents in this order (`Segment.dateOrder`).
    public struct Documents {
        @usableFromInline let base: UnsafeRawPointer?
        public let count: Int

        init(base: UnsafeRawPointer?, count: Int) {
            self.base = base
            self.count = count
        }

        /// The document at `position` (below `count`); a value at or past `count` means the
        /// file is damaged, and the caller skips it.
        @inlinable
        public subscript(_ position: Int) -> Int32 {
            guard let base else { return Int32.max }
            return Int32(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * position, as: UInt32.self)))
        }
    }
}
