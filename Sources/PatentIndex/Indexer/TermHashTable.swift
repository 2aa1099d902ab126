import Foundation

/// Term ids for byte strings while a segment is built: open addressing over a
/// power-of-two slot table, every term's bytes in one arena (no String, no allocation
/// per term), a 32-bit hash kept per term so most probes compare no bytes.
final class TermHashTable {
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    /// Where each term's bytes end in `bytes` (term `i` starts where `i − 1` ends).
    @exclusivity(unchecked) private(set) var ends: [Int32] = []
    @exclusivity(unchecked) private var hashes: [UInt32] = []
    @exclusivity(unchecked) private var slots = [Int32](repeating: -1, count: 1 << 10)

    var count: Int { ends.count }

    /// What the table holds, in bytes (arrays' spare capacity counted as half again).
    var memoryBytes: Int { (bytes.count + 8 * ends.count) * 3 / 2 + 4 * slots.count }

    /// The byte range of term `id`.
    @inline(__always)
    func range(_ id: Int) -> Range<Int> { (id == 0 ? 0 : Int(ends[id - 1]))..<Int(ends[id]) }

    func string(_ id: Int) -> String { String(decoding: bytes[range(id)], as: UTF8.self) }

    /// The id of `key`, added when new.
    @inline(__always)
    func id(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == hash && equals(Int(id), key) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = Int32(ends.count)
        bytes.append(contentsOf: key)
        ends.append(Int32(bytes.count))
        hashes.append(hash)
        slots[slot] = id
        if ends.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// The same for a String's UTF-8.
    func id(_ key: String) -> (id: Int32, isNew: Bool) {
        var key = key
        return key.withUTF8 { id(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    private func equals(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let range = range(id)
        guard range.count == key.count else { return false }
        return bytes.withUnsafeBytes { stored in
            key.count == 0 || memcmp(stored.baseAddress! + range.lowerBound, key.baseAddress!, key.count) == 0
        }
    }

    private func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, hash) in hashes.enumerated() {
            var slot = Int(hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }

    /// FxHash over 8-byte words, then folded: fast, and good enough for open addressing
    /// with the full 32-bit hash compared first.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt32 {
        var h = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= key.count {
            h = ((h << 5) | (h >> 59)) ^ key.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = h &* 0x517C_C1B7_2722_0A95
            i += 8
        }
        if i < key.count {
            var tail: UInt64 = 0
            for k in i..<key.count { tail = tail << 8 | UInt64(key[k]) }
            h = (((h << 5) | (h >> 59)) ^ tail) &* 0x517C_C1B7_2722_0A95
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// Term ids in byte order of their terms.
    func sortedIDs() -> [UInt32] { sortedByBytes(count, in: bytes, range: range) }
}
