/// Fixed-width bit packing of 128 values at a time (the document blocks of the postings
/// format, like Tantivy's `bitpacker` and Lucene's `ForUtil`): value `i` takes bits
/// `i·w ..< (i+1)·w` of a little-endian bit stream, so a block of width `w` is exactly
/// `16·w` bytes and needs no length.
enum BitPacking {
    static let blockSize = 128

    /// Bytes of a packed block of width `width`.
    @inline(__always)
    static func packedBytes(width: Int) -> Int { blockSize * width / 8 }

    /// The number of bits the largest of `values` needs (0 when all are 0).
    static func width(_ values: UnsafeBufferPointer<UInt32>) -> Int {
        var all: UInt32 = 0
        for value in values { all |= value }
        return UInt32.bitWidth - all.leadingZeroBitCount
    }

    /// Appends the `blockSize` values packed at `width` bits each.
    static func pack<Sink: ByteSink>(_ values: UnsafeBufferPointer<UInt32>, width: Int, into out: inout Sink) {
        precondition(values.count == blockSize && width <= 32)
        guard width > 0 else { return }
        var bits: UInt64 = 0
        var held = 0
        for value in values {
            bits |= UInt64(value) << UInt64(held)
            held += width
            while held >= 8 {
                out.byte(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
                held -= 8
            }
        }
    }

    /// Reads a block packed at `width` from `bytes` at `offset` into `out` (room for
    /// `blockSize` values); returns the offset after it. A block past the end of the
    /// buffer (a corrupt file) is an error, never a read out of bounds.
    static func unpack(_ bytes: UnsafeRawBufferPointer, at offset: Int, width: Int,
                       into out: UnsafeMutablePointer<UInt32>) throws(IndexError) -> Int {
        let length = packedBytes(width: width)
        guard width <= 32, offset >= 0, offset + length <= bytes.count else { throw .corrupt("packed block past the end") }
        guard width > 0 else {
            out.update(repeating: 0, count: blockSize)
            return offset
        }
        if offset + length + 8 <= bytes.count, let base = bytes.baseAddress {
            // Each width its own loop, so shifts and masks are constants the compiler folds.
            let start = base + offset
            switch width {
            case 1: unpack(start, width: 1, into: out)
            case 2: unpack(start, width: 2, into: out)
            case 3: unpack(start, width: 3, into: out)
            case 4: unpack(start, width: 4, into: out)
            case 5: unpack(start, width: 5, into: out)
            case 6: unpack(start, width: 6, into: out)
            case 7: unpack(start, width: 7, into: out)
            case 8: unpack(start, width: 8, into: out)
            case 9: unpack(start, width: 9, into: out)
            case 10: unpack(start, width: 10, into: out)
            case 11: unpack(start, width: 11, into: out)
            case 12: unpack(start, width: 12, into: out)
            case 13: unpack(start, width: 13, into: out)
            case 14: unpack(start, width: 14, into: out)
            case 15: unpack(start, width: 15, into: out)
            case 16: unpack(start, width: 16, into: out)
            default: unpack(start, width: width, into: out)
            }
            return offset + length
        }
        // Near the end of the buffer: each value assembled byte by byte, never read past it.
        let mask = UInt64(1) << UInt64(width) - 1
        for i in 0..<blockSize {
            let bit = i * width
            let at = offset + bit >> 3
            var word: UInt64 = 0
            for k in 0..<min(8, offset + length - at) { word |= UInt64(bytes[at + k]) << UInt64(8 * k) }
            out[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
        }
        return offset + length
    }

    /// A block at `width` (at most 32) with 8 readable bytes past its end.
    @inline(__always)
    private static func unpack(_ start: UnsafeRawPointer, width: Int, into out: UnsafeMutablePointer<UInt32>) {
        let mask = UInt64(1) << UInt64(width) - 1
        for i in 0..<blockSize {
            let bit = i * width
            let word = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            out[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
        }
    }
}
