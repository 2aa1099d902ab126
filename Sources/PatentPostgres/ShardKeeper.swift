import Foundation
import Logging
import PatentIndex
import ServiceLifecycle
import Synchronization

/// Keeps a node's share of a sharded index (`serve --shards`; many machines, part 2).
///
/// Every `interval` it reads the live members (`ClusterMembership`), computes the shards this
/// node holds among them (`ShardPlacement`: rendezvous hashing, `replicas` holders per
/// shard), and pulls each held shard's newest published generation into
/// `<directory>/<shard>` (`IndexPublication.pull`: every file checked, the manifest
/// installed last). Only then does its heartbeat list the shard as ready — so a node that
/// joins is asked for a shard only once it holds it. A shard it no longer holds (a node
/// joined and took it) is served on until every node that should hold it serves it, then
/// dropped. The heartbeat runs on its own every `interval`, so a long download does not
/// make the node look dead. At shutdown the node leaves the membership at once.
///
/// The root of a search asks the members serving each shard (`replicas()`), from the
/// member list of the last round: no database query per search.
public final class ShardKeeper: Service, Sendable {
    public let node: String
    public let directory: String
    public let placement: ShardPlacement
    let membership: ClusterMembership
    let publication: IndexPublication
    let logger: Logger
    let interval: Duration
    /// Shard → the generation installed and served.
    private let ready = Mutex<[Int: Int]>([:])
    private let members = Mutex<[ClusterMembership.Member]>([])
    /// Where other nodes reach this one; nil until known (a server on port 0 learns its
    /// port once bound): no heartbeat before.
    private let address: Mutex<String?>

    public init(node: String, address: String?, directory: String, placement: ShardPlacement,
                membership: ClusterMembership, publication: IndexPublication, logger: Logger,
                interval: Duration = .seconds(1)) {
        self.node = node
        self.address = Mutex(address)
        self.directory = directory
        self.placement = placement
        self.membership = membership
        self.publication = publication
        self.logger = logger
        self.interval = interval
    }

    /// Sets the address other nodes reach this one at (once the server is bound).
    public func advertise(_ address: String) {
        self.address.withLock { $0 = $0 ?? address }
    }

    /// Per shard, the base URLs of the members serving it (last round's view).
    public func replicas() -> [[String]] {
        ClusterMembership.replicas(members.withLock { $0 }, placement: placement)
    }

    /// The shards this node serves, with their generations.
    public var serving: [Int: Int] { ready.withLock { $0 } }

    public func run() async throws {
        // Pulling hashes and renames files: not on Swift's cooperative pool.
        try await withTaskExecutorPreference(BlockingBridge.shared) {
            // Shards installed before a restart are served again at once (and replaced
            // when a newer generation is published).
            let installed = self.installed()
            self.ready.withLock { $0 = installed }
            try? await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.heartbeats() }
                    group.addTask { try await self.rounds() }
                    try await group.next()
                    group.cancelAll()
                }
            }
            do {
                try await membership.leave(node: node)
            } catch {
                logger.warning("could not leave the cluster's membership", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The shards whose pulled generation is installed under `directory`.
    func installed() -> [Int: Int] {
        var found: [Int: Int] = [:]
        for shard in 0..<placement.shards {
            let folder = ShardPlacement.folder(directory, shard: shard)
            guard let generation = try? IndexManifest.read(folder: folder).pulledGeneration else { continue }
            found[shard] = generation
        }
        return found
    }

    private func heartbeats() async throws {
        while !Task.isCancelled {
            do {
                if let address = address.withLock({ $0 }) {
                    try await membership.heartbeat(node: node, address: address, ready: serving)
                }
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }

    private func rounds() async throws {
        while !Task.isCancelled {
            do {
                try await round()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("keeping this node's shards failed; trying again", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }

    /// One round: members read, held shards brought to their newest generation, shards no
    /// longer held dropped once their holders serve them.
    func round() async throws {
        let live = try await membership.members()
        members.withLock { $0 = live }
        let names = Set(live.map(\.node)).union([node])
        let held = placement.shards(of: node, among: names)
        for shard in held {
            guard let newest = try await publication.newestGeneration(shard: shard) else { continue }
            if serving[shard] == newest { continue }
            let pulled = try await publication.pull(shard: shard, into: ShardPlacement.folder(directory, shard: shard))
            ready.withLock { $0[shard] = pulled.generation }
            logger.info("serving shard", metadata: ["shard": "\(shard)", "generation": "\(pulled.generation)",
                                                   "downloaded": "\(pulled.downloaded.count)"])
        }
        for shard in serving.keys where !held.contains(shard) {
            let holders = placement.holders(of: shard, among: names)
            let servedByHolders = holders.allSatisfy { holder in live.contains { $0.node == holder && $0.ready[shard] != nil } }
            guard servedByHolders else { continue }
            ready.withLock { _ = $0.removeValue(forKey: shard) }
            try? FileManager.default.removeItem(atPath: ShardPlacement.folder(directory, shard: shard))
            logger.info("dropped shard: its holders serve it", metadata: ["shard": "\(shard)"])
        }
    }
}
