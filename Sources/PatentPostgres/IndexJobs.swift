import Foundation
import Logging
import PostgresNIO

/// Indexing jobs of a sharded cluster on the shared database (many machines, part 2):
/// "build shard s from feed revision r", queued, claimed by one node under a lease as export
/// tasks are (`ExportClaims`), done when the generation is published.
///
/// - `enqueue` adds a job per shard whose newest job and newest generation were both built
///   from before `r` — every node calls it for the revision its store followed, so a
///   publication anywhere is indexed without anyone deciding to; duplicates are ignored.
/// - `claim` takes the oldest job of a shard nobody is building (claims take turns on an
///   advisory lock, so one shard is never built by two nodes at once and a generation never
///   replaces a newer one); a job whose lease ran out — its builder died — is taken over.
/// - `finish` marks done every job of the shard the build covered (a build from revision
///   r′ serves every job up to r′); builders publish their shard's generation staged, and
///   when the last job up to a revision is done, all the shards' staged generations go live
///   in one transaction with one NOTIFY.
public struct IndexJobs: Sendable {
    let database: SharedDatabase
    /// An advisory lock key only job claims take ("idxjobs" in ASCII).
    static let claimLock: Int64 = 0x69_64_78_6A_6F_62_73

    public init(database: SharedDatabase) {
        self.database = database
    }

    public struct Job: Sendable, Equatable {
        public var shard: Int
        public var revision: Int
    }

    /// Queues "build shard s from revision `revision`" for each of `shards` shards not
    /// built, nor queued to be, from as far; returns the shards queued.
    @discardableResult
    public func enqueue(shards: Int, revision: Int) async throws -> [Int] {
        guard revision > 0 else { return [] }
        let rows = try await database.client.query("""
            INSERT INTO index_job (shard, revision, state)
            SELECT s, \(Int64(revision)), 'queued' FROM generate_series(0, \(Int32(clamping: shards - 1))) AS s
            WHERE NOT EXISTS (SELECT 1 FROM index_job j WHERE j.shard = s AND j.revision >= \(Int64(revision)))
              AND NOT EXISTS (SELECT 1 FROM index_generation g WHERE g.shard = s AND g.revision >= \(Int64(revision)))
            ON CONFLICT DO NOTHING RETURNING shard
            """, logger: database.logger)
        var queued: [Int] = []
        for try await shard in rows.decode(Int32.self) { queued.append(Int(shard)) }
        return queued.sorted()
    }

    /// The oldest job of a shard no live claim is building, claimed by `worker` for `lease`.
    public func claim(worker: String, lease: Duration) async throws -> Job? {
        try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: database.logger)
            let rows = try await connection.query("""
                UPDATE index_job SET state = 'running', worker = \(worker),
                    lease_until = clock_timestamp() + make_interval(secs => \(Self.seconds(lease)))
                WHERE (shard, revision) = (
                    SELECT j.shard, j.revision FROM index_job j
                    WHERE (j.state = 'queued' OR (j.state = 'running' AND j.lease_until < clock_timestamp()))
                      AND NOT EXISTS (SELECT 1 FROM index_job r WHERE r.shard = j.shard AND r.state = 'running'
                                      AND r.lease_until >= clock_timestamp() AND r.revision <> j.revision)
                    ORDER BY j.revision, j.shard LIMIT 1)
                RETURNING shard, revision
                """, logger: database.logger)
            for try await (shard, revision) in rows.decode((Int32, Int64).self) { return Job(shard: Int(shard), revision: Int(revision)) }
            return nil
        }
    }

    /// Extends `worker`'s lease on `job`; false when the claim was lost (taken over).
    public func extend(_ job: Job, worker: String, lease: Duration) async throws -> Bool {
        let rows = try await database.client.query("""
            UPDATE index_job SET lease_until = clock_timestamp() + make_interval(secs => \(Self.seconds(lease)))
            WHERE shard = \(Int32(clamping: job.shard)) AND revision = \(Int64(job.revision)) AND state = 'running'
              AND worker = \(worker) RETURNING 1
            """, logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Marks done every unfinished job of `job`'s shard up to `built` (the feed revision the
    /// staged `generation` was built from). When no job up to `job`'s revision is left, every
    /// shard's staged generations go live in the same transaction, announced by one NOTIFY:
    /// the shards of a cluster switch together (`publication` prunes what they replace).
    /// Returns the generations that went live, by shard.
    @discardableResult
    public func finish(_ job: Job, built: Int, generation: Int, publication: IndexPublication) async throws -> [Int: Int] {
        try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLock))", logger: database.logger)
            try await connection.query("""
                UPDATE index_job SET state = 'done', generation = \(Int64(generation)), lease_until = NULL
                WHERE shard = \(Int32(clamping: job.shard)) AND revision <= \(Int64(max(built, job.revision))) AND state <> 'done'
                """, logger: database.logger)
            let pending = try await connection.query("""
                SELECT count(*) FROM index_job WHERE state <> 'done' AND revision <= \(Int64(job.revision))
                """, logger: database.logger)
            var left = 0
            for try await count in pending.decode(Int64.self) { left = Int(count) }
            guard left == 0 else { return [:] }
            let flipped = try await connection.query("""
                UPDATE index_generation SET live_at = now() WHERE live_at IS NULL RETURNING shard, id
                """, logger: database.logger)
            var live: [Int: Int] = [:]
            for try await (shard, id) in flipped.decode((Int32, Int64).self) { live[Int(shard)] = max(live[Int(shard)] ?? 0, Int(id)) }
            guard !live.isEmpty else { return [:] }
            try await publication.prune(shards: Array(live.keys), on: connection)
            try await IndexPublication.announce(live.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" },
                                                on: connection, logger: database.logger)
            return live
        }
    }

    /// Jobs not done, oldest first (for `patents segments list` and tests).
    public func pending() async throws -> [(job: Job, state: String, worker: String?)] {
        let rows = try await database.client.query("""
            SELECT shard, revision, state, worker FROM index_job WHERE state <> 'done' ORDER BY revision, shard
            """, logger: database.logger)
        var jobs: [(job: Job, state: String, worker: String?)] = []
        for try await (shard, revision, state, worker) in rows.decode((Int32, Int64, String, String?).self) {
            jobs.append((Job(shard: Int(shard), revision: Int(revision)), state, worker))
        }
        return jobs
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
