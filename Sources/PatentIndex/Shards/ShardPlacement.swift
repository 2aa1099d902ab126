/// Which nodes hold which shards (many machines, part 2): rendezvous hashing (highest
/// random weight). For each shard every node gets a weight — FNV-1a 64 of "node#shard",
/// finished with a 64-bit mix so that names differing in one character spread — and the
/// `replicas` heaviest hold it. A node joining or leaving moves only the shards it gains or
/// loses (about shards × replicas ÷ nodes of them), and every node computes the same
/// placement from the same member list, without coordination.
public struct ShardPlacement: Sendable, Equatable {
    public let shards: Int
    public let replicas: Int

    public init(shards: Int, replicas: Int) {
        self.shards = max(1, shards)
        self.replicas = max(1, replicas)
    }

    /// A node's weight for a shard.
    public static func weight(node: String, shard: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(node)#\(shard)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        // SplitMix64's finaliser.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    /// The nodes of `nodes` in the order they hold `shard`: heaviest first (ties by name);
    /// the first `replicas` hold it.
    public func ranking(of nodes: some Sequence<String>, shard: Int) -> [String] {
        Set(nodes).map { (node: $0, weight: Self.weight(node: $0, shard: shard)) }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.node < $1.node }
            .map(\.node)
    }

    /// The nodes holding `shard` among `nodes`.
    public func holders(of shard: Int, among nodes: some Sequence<String>) -> [String] {
        Array(ranking(of: nodes, shard: shard).prefix(replicas))
    }

    /// The shards `node` holds when `nodes` (with it or without) are the members.
    public func shards(of node: String, among nodes: some Sequence<String>) -> [Int] {
        let members = Set(nodes).union([node])
        return (0..<shards).filter { holders(of: $0, among: members).contains(node) }
    }

    /// Where a node keeps shard `shard`'s index: `<directory>/<shard>`.
    public static func folder(_ directory: String, shard: Int) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + String(shard)
    }
}
