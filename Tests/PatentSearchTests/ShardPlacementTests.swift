import PatentIndex
import Testing

/// Rendezvous placement of shards on nodes (many machines, part 2).
@Suite struct ShardPlacementTests {
    @Test("weights and rankings are the independent computation's (FNV-1a 64 of node#shard, SplitMix64's finaliser)")
    func pinnedWeights() {
        // Computed with a dozen lines of Python, not with this code.
        #expect(ShardPlacement.weight(node: "A", shard: 0) == 12_303_038_168_890_238_766)
        #expect(ShardPlacement.weight(node: "node-1", shard: 7) == 17_206_001_974_562_614_596)
        let placement = ShardPlacement(shards: 2, replicas: 2)
        #expect(placement.ranking(of: ["A", "B", "C", "D"], shard: 0) == ["C", "A", "B", "D"])
        #expect(placement.ranking(of: ["D", "C", "B", "A"], shard: 1) == ["A", "C", "D", "B"])
        #expect(placement.holders(of: 1, among: ["A", "B", "C", "D"]) == ["A", "C"])
        #expect(placement.shards(of: "D", among: ["A", "B", "C"]) == [])
        #expect(placement.shards(of: "A", among: ["B"]) == [0, 1], "two nodes, two replicas: both hold everything")
    }

    @Test("every shard has its replicas; a node joining or leaving moves only the shards it gains or loses; the load is even")
    func movesLittle() {
        let placement = ShardPlacement(shards: 64, replicas: 2)
        let nodes = (1...8).map { "node-\($0)" }
        var load: [String: Int] = [:]
        for shard in 0..<64 {
            let holders = placement.holders(of: shard, among: nodes)
            #expect(holders.count == 2 && Set(holders).count == 2)
            for holder in holders { load[holder, default: 0] += 1 }
            // Joining: the shard keeps its holders, or the newcomer replaces exactly one.
            let joined = placement.holders(of: shard, among: nodes + ["node-9"])
            if joined.contains("node-9") {
                #expect(Set(joined).subtracting(["node-9"]).isSubset(of: Set(holders)) && Set(holders).intersection(joined).count == 1)
            } else {
                #expect(joined == holders)
            }
            // Leaving: shards node-3 did not hold keep their holders.
            let left = placement.holders(of: shard, among: nodes.filter { $0 != "node-3" })
            if !holders.contains("node-3") { #expect(left == holders) } else { #expect(left.count == 2 && !left.contains("node-3")) }
        }
        #expect(load.values.reduce(0, +) == 128)
        #expect(load.values.allSatisfy { (8...24).contains($0) }, "\(load)")
        #expect(placement.shards(of: "node-1", among: nodes).count == load["node-1"])
    }
}
