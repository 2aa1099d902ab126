import Foundation
import Logging
import PatentIndex
import PostgresNIO

/// The nodes of a sharded cluster as the shared database knows them (many machines, part
/// 2): each node's address (where its shard calls are answered), the shards it serves with
/// the generation of each, and when it last said so. A node heartbeats every second or so
/// (`ShardKeeper`); one not heard of for `liveness` is taken for dead — its shards are then
/// placed on the others (`ShardPlacement`) and the roots stop asking it.
public struct ClusterMembership: Sendable {
    let database: SharedDatabase
    /// How long a node counts as alive after its last heartbeat.
    public var liveness: Duration = .seconds(10)

    public init(database: SharedDatabase) {
        self.database = database
    }

    /// A node as its last heartbeat described it.
    public struct Member: Sendable, Equatable {
        public var node: String
        /// Base URL of its shard calls (`http://host:port`).
        public var address: String
        /// Shard → the published generation it serves.
        public var ready: [Int: Int]
    }

    /// Records that `node` is alive at `address`, serving `ready`.
    public func heartbeat(node: String, address: String, ready: [Int: Int]) async throws {
        let json = Self.json(ready)
        try await database.client.query("""
            INSERT INTO node (id, address, heartbeat_at, ready) VALUES (\(node), \(address), now(), \(json)::jsonb)
            ON CONFLICT (id) DO UPDATE SET address = excluded.address, heartbeat_at = now(), ready = excluded.ready
            """, logger: database.logger)
    }

    /// Removes `node` (it stops: roots stop asking it at once, not after `liveness`).
    public func leave(node: String) async throws {
        try await database.client.query("DELETE FROM node WHERE id = \(node)", logger: database.logger)
    }

    /// The nodes heard of within `liveness`, by name.
    public func members() async throws -> [Member] {
        let seconds = Double(liveness.components.seconds) + Double(liveness.components.attoseconds) / 1e18
        let rows = try await database.client.query("""
            SELECT id, address, ready::text FROM node WHERE heartbeat_at > now() - make_interval(secs => \(seconds)) ORDER BY id
            """, logger: database.logger)
        var members: [Member] = []
        for try await (node, address, ready) in rows.decode((String, String, String).self) {
            members.append(Member(node: node, address: address, ready: Self.ready(ready)))
        }
        return members
    }

    /// Per shard, the base URLs of the live members serving it, in the placement's order
    /// (the shard's rightful holders first, then any still serving it while they move);
    /// a shard no member serves has none.
    public static func replicas(_ members: [Member], placement: ShardPlacement) -> [[String]] {
        (0..<placement.shards).map { shard in
            let serving = members.filter { $0.ready[shard] != nil }
            let order = placement.ranking(of: serving.map(\.node), shard: shard)
            let address = Dictionary(serving.map { ($0.node, $0.address) }, uniquingKeysWith: { first, _ in first })
            return order.compactMap { address[$0] }
        }
    }

    static func json(_ ready: [Int: Int]) -> String {
        "{" + ready.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    static func ready(_ json: String) -> [Int: Int] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var ready: [Int: Int] = [:]
        for (key, value) in object {
            if let shard = Int(key), let generation = (value as? NSNumber)?.intValue { ready[shard] = generation }
        }
        return ready
    }
}
