import Foundation
import PatentObjectStore
import PatentTestSupport
import PostgresNIO
import Testing
@testable import PatentPostgres

/// Indexing jobs of a sharded cluster on PostgreSQL (`IndexJobs`): queued once per shard
/// and revision, claimed one builder per shard, taken over when a lease runs out, and the
/// shards' staged generations going live together once every job up to a revision is done.
@Suite("Indexing jobs")
struct IndexJobsTests {
    @Test func queuedClaimedTakenOverAndLiveTogether() async throws {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("jobs"))
        try await database.migrate()
        let jobs = IndexJobs(database: database)
        let publication = IndexPublication(database: database, store: try FolderObjectStore(root: try temporaryDirectory("jobs-objects")))
        let publisher = try IndexPublicationTests.Publisher()
        try publisher.add("marec")

        // Queued once per shard and revision; nothing for revision 0 or a revision covered.
        #expect(try await jobs.enqueue(shards: 2, revision: 0) == [])
        #expect(try await jobs.enqueue(shards: 2, revision: 5) == [0, 1])
        #expect(try await jobs.enqueue(shards: 2, revision: 5) == [])
        #expect(try await jobs.enqueue(shards: 2, revision: 4) == [], "a job from further covers it")

        // One builder per shard: A takes shard 0, B shard 1, C nothing.
        let a = try #require(try await jobs.claim(worker: "A", lease: .seconds(60)))
        let b = try #require(try await jobs.claim(worker: "B", lease: .seconds(60)))
        #expect(a == IndexJobs.Job(shard: 0, revision: 5) && b == IndexJobs.Job(shard: 1, revision: 5))
        #expect(try await jobs.claim(worker: "C", lease: .seconds(60)) == nil)
        // Later jobs of both shards wait while A and B build them.
        #expect(try await jobs.enqueue(shards: 2, revision: 7) == [0, 1])
        #expect(try await jobs.claim(worker: "C", lease: .seconds(60)) == nil)

        // B's lease runs out (set in the past, not slept through): E takes B's job over — the
        // oldest of the shard nobody builds — and B's extension is refused.
        try await database.client.query("UPDATE index_job SET lease_until = now() - interval '1 second' WHERE worker = 'B'",
                                        logger: database.logger)
        let takenOver = try #require(try await jobs.claim(worker: "E", lease: .seconds(60)))
        #expect(takenOver == b, "the oldest job of the shard nobody builds: \(takenOver)")
        #expect(try await jobs.extend(b, worker: "B", lease: .seconds(60)) == false)

        // A finishes shard 0 (staged): nothing goes live while shard 1's job at 5 is pending.
        let staged0 = try await publication.publish(indexAt: publisher.index, shard: 0, revision: 5, live: false)
        #expect(try await jobs.finish(a, built: 5, generation: staged0.generation, publication: publication) == [:])
        #expect(try await publication.newestGeneration(shard: 0) == nil, "staged, not live")
        // E finishes shard 1 from revision 7: its jobs at 5 and 7 are done, and both shards'
        // staged generations go live in that transaction.
        let staged1 = try await publication.publish(indexAt: publisher.index, shard: 1, revision: 7, live: false)
        let live = try await jobs.finish(takenOver, built: 7, generation: staged1.generation, publication: publication)
        #expect(live == [0: staged0.generation, 1: staged1.generation])
        #expect(try await publication.newestGeneration(shard: 0) == staged0.generation)
        #expect(try await publication.newestGeneration(shard: 1) == staged1.generation)
        let pending = try await jobs.pending()
        #expect(pending.map(\.job) == [IndexJobs.Job(shard: 0, revision: 7)], "shard 0's job at 7 is left: \(pending)")
        await database.close()
    }
}
