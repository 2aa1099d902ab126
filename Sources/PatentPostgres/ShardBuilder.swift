import Foundation
import Logging
import PatentIndex
import PatentIngest
import PatentStore
import PatentTasks
import ServiceLifecycle
import Synchronization

/// Builds shards for a sharded cluster (`serve --shards`; many machines, part 2): every
/// `interval` it queues a job per shard for the feed revision this node's store followed
/// (`IndexJobs.enqueue`: nothing when a job or generation covers it already), claims the
/// oldest job nobody is building, waits until its store holds the job's revision, brings
/// its own build of that shard (`<directory>/<shard>`, updated incrementally when it built
/// the shard before) up to the store with `IndexUpdater` (only that shard's patents), and
/// publishes it staged; once every shard's job up to that revision is done, all the staged
/// generations go live together (`IndexJobs.finish`) and the nodes holding them pull them
/// (`ShardKeeper`). The claim's lease is extended while building; a builder that lost
/// its claim (paused past the lease, another node took over) publishes nothing. Building
/// runs on a thread of its own.
public final class ShardBuilder: Service, Sendable {
    let jobs: IndexJobs
    let publication: IndexPublication
    let store: PatentStore
    let directory: String
    let shards: Int
    let worker: String
    let logger: Logger
    /// How long a claim holds without being extended (a third of it between extensions).
    let lease: Duration
    let interval: Duration
    /// Memory for the segment being built (`IndexUpdater.memoryBudget`).
    let memoryBudget: Int
    /// The feed revision jobs were last queued for.
    private let enqueued = Mutex<Int?>(nil)

    public init(jobs: IndexJobs, publication: IndexPublication, store: PatentStore, directory: String, shards: Int,
                worker: String, logger: Logger, lease: Duration = .seconds(30), interval: Duration = .seconds(1),
                memoryBudget: Int = 512 << 20) {
        self.lease = lease
        self.interval = interval
        self.memoryBudget = memoryBudget
        self.jobs = jobs
        self.publication = publication
        self.store = store
        self.directory = directory
        self.shards = shards
        self.worker = worker
        self.logger = logger
    }

    public func run() async throws {
        try await withTaskExecutorPreference(BlockingBridge.shared) {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do {
                        try await self.round()
                    } catch is CancellationError {
                        return
                    } catch {
                        self.logger.warning("building a shard failed; trying again", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: self.interval)
                }
            }
        }
    }

    /// One round: jobs queued for what the store holds, one claimed and built.
    /// Returns the job built and published, if any.
    @discardableResult
    public func round() async throws -> (job: IndexJobs.Job, generation: Int)? {
        // Jobs for a revision are queued once: asking again for the same one finds them.
        let followed = try store.followedRevision()
        if enqueued.withLock({ $0 }) != followed {
            try await jobs.enqueue(shards: shards, revision: followed)
            enqueued.withLock { $0 = followed }
        }
        guard let job = try await jobs.claim(worker: worker, lease: lease) else { return nil }
        let deadline = ContinuousClock.now + .seconds(60)
        while try store.followedRevision() < job.revision {
            // The follower brings the store up; if it cannot, the lease runs out and another
            // node takes the job.
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(200))
        }
        let built = try store.followedRevision()
        let keeping = Task { [jobs, worker, lease] in
            while !Task.isCancelled {
                try await Task.sleep(for: lease / 3)
                guard try await jobs.extend(job, worker: worker, lease: lease) else { return }
            }
        }
        defer { keeping.cancel() }
        let folder = ShardPlacement.folder(directory, shard: job.shard)
        let report = try await build(shard: job.shard, in: folder)
        guard try await jobs.extend(job, worker: worker, lease: lease) else {
            logger.warning("lost the claim on an indexing job while building; not publishing", metadata: ["shard": "\(job.shard)"])
            return nil
        }
        let published = try await publication.publish(indexAt: folder, shard: job.shard, revision: built, live: false)
        let live = try await jobs.finish(job, built: built, generation: published.generation, publication: publication)
        logger.info("built a shard", metadata: [
            "shard": "\(job.shard)", "revision": "\(built)", "generation": "\(published.generation)",
            "indexed": "\(report.indexed)", "uploaded": "\(published.uploaded.count)", "live": "\(live)"])
        return (job, published.generation)
    }

    /// Brings the build of `shard` in `folder` up to the store, on a thread of its own.
    private func build(shard: Int, in folder: String) async throws -> IndexUpdater.Report {
        let routing = try ShardRouting(count: shards, index: shard)
        let (store, memoryBudget) = (store, memoryBudget)
        return try await awaitOffThread { () throws -> IndexUpdater.Report in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var updater = IndexUpdater(store: store, directory: folder)
            updater.shard = routing
            updater.memoryBudget = memoryBudget
            do {
                return try updater.update()
            } catch IndexError.otherShard, IndexError.pulled {
                // A folder left by another layout: built again from nothing.
                updater.rebuild = true
                return try updater.update()
            }
        }
    }
}
