/// A publication number's first 16 UTF-8 bytes as two big-endian integers (zero-padded):
/// comparing keys is comparing PNs byte by byte, so the relevance order's last tie-break
/// (PN ascending, QUERY.md §5) is two integer compares instead of two string reads. Equal
/// keys say nothing more — the PNs may differ after their 16th byte — and the caller then
/// compares the PNs themselves (`Segment.pn`). Stored per document in a segment (format 6).
public struct PNKey: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(_ pn: String) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = 0
        for byte in pn.utf8.prefix(16) {
            if index < 8 { high |= UInt64(byte) << UInt64(56 - 8 * index) } else { low |= UInt64(byte) << UInt64(120 - 8 * index) }
            index += 1
        }
        self.init(high: high, low: low)
    }

    /// Negative when `self` sorts first, positive when `other` does, 0 when the PNs agree
    /// in their first 16 bytes.
    @inlinable
    public func compare(_ other: PNKey) -> Int {
        if high != other.high { return high < other.high ? -1 : 1 }
        return low == other.low ? 0 : (low < other.low ? -1 : 1)
    }

    /// The order keys stand for: PNs by their UTF-8 bytes (the same as `String`'s order for
    /// the ASCII publication numbers are made of, and defined for any other).
    public static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Whether the PN keyed `a` comes before the one keyed `b`: by the keys, and by the PNs
    /// themselves (read only then) when the keys are equal.
    @inlinable
    public static func precedes(_ a: PNKey, _ b: PNKey, pns: () -> (String, String)) -> Bool {
        let byKey = a.compare(b)
        if byKey != 0 { return byKey < 0 }
        let (pnA, pnB) = pns()
        return precedes(pnA, pnB)
    }
}
