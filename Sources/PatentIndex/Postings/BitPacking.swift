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
        let mask = UInt64(1) << UInt64(width) - 1
        let fast = offset + length + 8 <= bytes.count
        for i in 0..<blockSize {
            let bit = i * width
            let at = offset + bit >> 3
            let word: UInt64
            if fast {
                word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            } else {
                var w: UInt64 = 0
                for k in 0..<min(8, offset + length - at) { w |= UInt64(bytes[at + k]) << UInt64(8 * k) }
                word = w
            }
            out[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
        }
        return offset + length
    }
}
