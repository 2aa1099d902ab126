/// A shard's answer in the compact binary form nodes exchange (`application/x-patents-shard`):
/// an export's search asks each shard for up to 100,000 hits, which JSON would spell in some
/// 10 MB per shard and decode slowly. Little-endian; integers as LEB128 varints (zigzag for
/// the signed ones), scores as their IEEE-754 bits (exact), PNs as length-prefixed UTF-8:
///
///     "PSA1" generation
///     0 | 1 statistics: documents, count, (field byte, sum)…, count, (leaf, count, (field byte, documents)…)…
///     0 | 1 result: total, count, (pn, score bits: 8 bytes, publication, application, grant date)…
///
/// Decoding checks every length against the bytes left: damaged or hostile input is a
/// `ShardAnswer.DecodingError`, never a trap or an allocation beyond the input's size.
extension ShardAnswer {
    public static let contentType = "application/x-patents-shard"
    static let magic: [UInt8] = Array("PSA1".utf8)

    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(64 + (result?.hits.count ?? 0) * 40)
        Self.put(signed: generation, into: &out)
        if let statistics {
            out.append(1)
            Self.put(signed: statistics.documents, into: &out)
            Self.put(statistics.normSums.count, into: &out)
            for (field, sum) in statistics.normSums.sorted(by: { $0.key < $1.key }) {
                out.append(field)
                Self.put(signed: sum, into: &out)
            }
            Self.put(statistics.frequencies.count, into: &out)
            for (leaf, byField) in statistics.frequencies.sorted(by: { $0.key < $1.key }) {
                Self.put(signed: leaf, into: &out)
                Self.put(byField.count, into: &out)
                for (field, documents) in byField.sorted(by: { $0.key < $1.key }) {
                    out.append(field)
                    Self.put(signed: documents, into: &out)
                }
            }
        } else {
            out.append(0)
        }
        if let result {
            out.append(1)
            Self.put(signed: result.total, into: &out)
            Self.put(result.hits.count, into: &out)
            for hit in result.hits {
                Self.put(hit.pn.utf8.count, into: &out)
                out.append(contentsOf: hit.pn.utf8)
                withUnsafeBytes(of: hit.score.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                Self.put(signed: hit.publicationDate, into: &out)
                Self.put(signed: hit.applicationDate, into: &out)
                Self.put(signed: hit.grantDate, into: &out)
            }
        } else {
            out.append(0)
        }
        return out
    }

    public init(encoded bytes: [UInt8]) throws(DecodingError) {
        var reader = Reader(bytes: bytes)
        guard bytes.starts(with: Self.magic) else { throw DecodingError(description: "not a shard answer (no PSA1 mark)") }
        reader.offset = Self.magic.count
        let generation = try reader.signed()
        var statistics: CollectionStatistics?
        if try reader.flag() {
            var figures = CollectionStatistics()
            figures.documents = try reader.signed()
            for _ in 0..<(try reader.count(each: 2)) { figures.normSums[try reader.byte()] = try reader.signed() }
            for _ in 0..<(try reader.count(each: 2)) {
                let leaf = try reader.signed()
                var byField: [UInt8: Int] = [:]
                for _ in 0..<(try reader.count(each: 2)) { byField[try reader.byte()] = try reader.signed() }
                figures.frequencies[leaf] = byField
            }
            statistics = figures
        }
        var result: SearchResult?
        if try reader.flag() {
            let total = try reader.signed()
            let count = try reader.count(each: 12)
            var hits: [SearchHit] = []
            hits.reserveCapacity(count)
            for _ in 0..<count {
                let pn = try reader.string()
                let score = Double(bitPattern: try reader.uint64())
                hits.append(SearchHit(pn: pn, score: score, publicationDate: try reader.signed(),
                                      applicationDate: try reader.signed(), grantDate: try reader.signed()))
            }
            result = SearchResult(total: total, hits: hits)
        }
        guard reader.offset == bytes.count else { throw DecodingError(description: "\(bytes.count - reader.offset) bytes after the answer") }
        self.init(generation: generation, statistics: statistics, result: result)
    }

    private static func put(_ value: Int, into out: inout [UInt8]) {
        var v = UInt64(truncatingIfNeeded: value)
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func put(signed value: Int, into out: inout [UInt8]) {
        put(Int(bitPattern: UInt(bitPattern: (value << 1) ^ (value >> (Int.bitWidth - 1)))), into: &out)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var left: Int { bytes.count - offset }

        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw DecodingError(description: "the answer ends early, at byte \(offset)") }
            offset += 1
            return bytes[offset - 1]
        }

        mutating func flag() throws(DecodingError) -> Bool {
            switch try byte() {
            case 0: false
            case 1: true
            case let other: throw DecodingError(description: "byte \(offset - 1): \(other) is neither 0 nor 1")
            }
        }

        mutating func unsigned() throws(DecodingError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 64 else { throw DecodingError(description: "byte \(offset - 1): a number longer than 64 bits") }
                value |= UInt64(next & 0x7F) << shift
                if next < 0x80 { return value }
                shift += 7
            }
        }

        mutating func signed() throws(DecodingError) -> Int {
            let zigzag = try unsigned()
            return Int(truncatingIfNeeded: Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1))))
        }

        /// A count of items of at least `each` bytes: no more than the bytes left can hold.
        mutating func count(each: Int) throws(DecodingError) -> Int {
            let value = try unsigned()
            guard value <= UInt64(left / max(1, each)) else {
                throw DecodingError(description: "byte \(offset): \(value) items cannot fit in the \(left) bytes left")
            }
            return Int(value)
        }

        mutating func uint64() throws(DecodingError) -> UInt64 {
            guard left >= 8 else { throw DecodingError(description: "the answer ends early, at byte \(offset)") }
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return value
        }

        mutating func string() throws(DecodingError) -> String {
            let length = try count(each: 1)
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
    }
}
