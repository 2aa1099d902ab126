import Foundation

/// PatentIndex: our search engine's storage. Immutable segments — sorted term
/// dictionaries, document lists in bit-packed 128-document blocks with skip entries,
/// positions in their own file, the value/sentence/paragraph structure of each
/// (document, field), integer columns and field lengths — with deletion bitmaps, a
/// manifest replaced atomically per generation, and streaming merges. Its folders:
/// `Directory` (bytes in and out of files, durably, checksummed), `Schema` (the fields),
/// `Postings` (block encoding, cursors, structure), `TermDictionary`, `Columns` (values
/// and field lengths per document), `Indexer` (the
/// in-memory inverter behind a memory budget), `Segment` (the file layout, reading,
/// merging) and `Index` (manifest, snapshot, writer). What feeds it lives in PatentIngest.
///
/// This file: the byte encoding primitives segments are written and read with.
/// Where encoded bytes go: a buffer in memory (`ByteWriter`) or a file streamed to disk
/// (`IndexOutput`). `count` is the bytes written so far (offsets are taken from it).
protocol ByteSink {
    var count: Int { get }
    mutating func byte(_ value: UInt8)
    mutating func append(_ bytes: UnsafeRawBufferPointer)
}

extension ByteSink {
    mutating func varint(_ value: Int) {
        var v = UInt64(bitPattern: Int64(value))
        while v >= 0x80 {
            byte(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    mutating func uint32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { append($0) } }

    mutating func uint64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { append($0) } }

    mutating func int32(_ value: Int32) { uint32(UInt32(bitPattern: value)) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        varint(utf8.count)
        append(utf8)
    }

    mutating func append(_ other: [UInt8]) { other.withUnsafeBytes { append($0) } }

    mutating func align(to boundary: Int) {
        while count % boundary != 0 { byte(0) }
    }
}

/// Bytes of `value` as a varint.
@inline(__always)
func varintLength(_ value: Int) -> Int { (70 - (UInt64(value) | 1).leadingZeroBitCount) / 7 }

/// The offset after `count` varints starting at `offset` (counted by their last bytes,
/// the ones below 0x80); past the end of `bytes` is corrupt.
@inline(__always)
func endOfVarints(_ count: Int, in bytes: UnsafeRawBufferPointer, from offset: Int) throws(IndexError) -> Int {
    var left = count
    var at = offset
    while left > 0 {
        guard at < bytes.count else { throw .corrupt("positions past the end") }
        if bytes[at] < 0x80 { left -= 1 }
        at += 1
    }
    return at
}

/// Numbers `0..<count` ordered by the bytes `range(i)` of `arena` (memcmp, shorter first
/// on a tie): term ids by their terms.
func sortedByBytes(_ count: Int, in arena: [UInt8], range: (Int) -> Range<Int>) -> [UInt32] {
    var order = (0..<UInt32(count)).map { $0 }
    arena.withUnsafeBytes { bytes in
        order.sort { a, b in
            let x = range(Int(a)), y = range(Int(b))
            let common = min(x.count, y.count)
            let c = common == 0 ? 0 : memcmp(bytes.baseAddress! + x.lowerBound, bytes.baseAddress! + y.lowerBound, common)
            return c != 0 ? c < 0 : x.count < y.count
        }
    }
    return order
}

/// Bytes encoded in memory.
struct ByteWriter: ByteSink {
    private(set) var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ other: UnsafeRawBufferPointer) { bytes.append(contentsOf: other) }

    /// Empties the buffer, keeping its capacity for the next use.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// Reads from a byte buffer (usually a memory-mapped segment); bounds are checked,
/// a corrupt file raises `IndexError.corrupt` rather than crashing.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int

    init(_ base: UnsafeRawBufferPointer, at offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= base.count }

    @inline(__always)
    mutating func varint() throws(IndexError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count, shift < 64 else { throw .corrupt("varint past the end") }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return Int(Int64(bitPattern: result)) }
            shift += 7
        }
    }

    func uint32(at position: Int) throws(IndexError) -> UInt32 {
        guard position >= 0, position + 4 <= base.count else { throw .corrupt("uint32 past the end") }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    func uint64(at position: Int) throws(IndexError) -> UInt64 {
        guard position >= 0, position + 8 <= base.count else { throw .corrupt("uint64 past the end") }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    func int32(at position: Int) throws(IndexError) -> Int32 { Int32(bitPattern: try uint32(at: position)) }

    mutating func string() throws(IndexError) -> String {
        let length = try varint()
        guard length >= 0, offset + length <= base.count else { throw .corrupt("string past the end") }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: base[offset..<(offset + length)]), as: UTF8.self)
        offset += length
        return value
    }

    /// The raw bytes of a string stored at `position` without decoding it.
    func stringBytes(at position: Int) throws(IndexError) -> UnsafeRawBufferPointer {
        var reader = ByteReader(base, at: position)
        let length = try reader.varint()
        guard length >= 0, reader.offset + length <= base.count else { throw .corrupt("string past the end") }
        return UnsafeRawBufferPointer(rebasing: base[reader.offset..<(reader.offset + length)])
    }
}

public enum IndexError: Error, Equatable, CustomStringConvertible {
    case corrupt(String)
    case io(String)
    /// The index was written by an earlier version of this program: it is rebuilt from
    /// the store (`patents index`, or `serve` at start), never read.
    case oldFormat
    /// The index holds another shard's patents (or every patent) than the one asked for.
    case otherShard(holds: String, asked: String)
    /// The index was pulled from object storage (that published generation): it follows
    /// the publisher's store, not this folder's.
    case pulled(generation: Int)

    public var description: String {
        switch self {
        case .pulled(let generation):
            return "the index was pulled from object storage (generation \(generation)): update it with `patents segments pull`, or rebuild it from this folder's store with `patents index --rebuild`"
        case .otherShard(let holds, let asked):
            return "the index holds \(holds), not \(asked): rebuild it (`patents index --rebuild`) to change what it holds"
        case .oldFormat: return "the index was written in an earlier format or with other fields; rebuild it from the store with `patents index`"
        case .corrupt(let detail): return "index file corrupt: \(detail)"
        case .io(let detail): return "index I/O error: \(detail)"
        }
    }
}
