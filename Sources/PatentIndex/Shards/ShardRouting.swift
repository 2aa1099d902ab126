/// Which shard of a sharded index holds a patent (many machines, part 2): the one its
/// extended family id hashes to, so that every family level — and with it every collapse
/// group — lies inside one shard and a shard's collapse is exact; a patent without a family
/// goes by its PN. FNV-1a (64 bits) over the decimal id: the same on every machine and in
/// every version, unlike Swift's seeded `Hashable`.
public struct ShardRouting: Sendable, Equatable, Codable {
    /// How many shards the index is split into.
    public let count: Int
    /// The shard this routing keeps (0-based).
    public let index: Int

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid(count: Int, index: Int)
        public var description: String {
            switch self {
            case .invalid(let count, let index): "shard \(index) of \(count): the count must be 1…65536 and the shard 0…count−1"
            }
        }
    }

    public init(count: Int, index: Int) throws(Failure) {
        guard (1...65_536).contains(count), (0..<count).contains(index) else { throw .invalid(count: count, index: index) }
        self.count = count
        self.index = index
    }

    /// The shard of a patent among `count`.
    public static func shard(pn: String, extendedFamily: Int?, count: Int) -> Int {
        let key = extendedFamily.map { "family:\($0)" } ?? "pn:\(pn)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(max(1, count)))
    }

    /// Whether this shard holds the patent.
    public func holds(pn: String, extendedFamily: Int?) -> Bool {
        Self.shard(pn: pn, extendedFamily: extendedFamily, count: count) == index
    }
}
