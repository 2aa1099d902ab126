import Foundation
import Logging
import PatentIngest
import PatentPostgres
import PatentStore
import PatentTestSupport
import PostgresNIO
import Testing

/// `kill -9` of an import publishing on the shared database's feed: the feed holds whole
/// batches only, a node starting then takes exactly what was published, and the import run
/// again leaves every node with what one clean import gives.
@Suite(.serialized) struct FeedKillTests {
    @Test func killDuringAnImportPublishingOnTheFeed() async throws {
        let url = try PostgresServer.shared.createDatabase("feed_kill")
        let clean = try PatentStore(directory: try temporaryDirectory("feed-kill-clean"))
        _ = try Importer(store: clean).run(paths: [fixtures])
        let expected = try KillLoopTests.contents(clean)
        let total = expected.patents.count

        let data = try temporaryDirectory("feed-kill")
        let process = try startPatents(["import", "--data", data, "--no-index", "--database", url, fixtures],
                                       environment: KillLoopTests.hooks)
        let seen = try KillLoopTests.await("first batch") { try KillLoopTests.storedCount(data).flatMap { $0 > 0 ? $0 : nil } }
        #expect(killLanded(process), "the import had already ended")

        var logger = Logger(label: "feed-kill-test")
        logger.logLevel = .critical
        let database = try SharedDatabase(url: url, logger: logger, connections: 2)
        let feed = try database.patentFeed()
        var published = 0
        for try await count in try await database.client.query("SELECT COUNT(*)::BIGINT FROM patent_record").decode(Int64.self) {
            published = Int(count)
        }
        #expect(published >= seen && published < total, "the kill must land mid-import (\(published) of \(total) published)")

        // A node starting now takes exactly what was published, each patent as a clean import stores it.
        let other = try PatentStore(directory: try temporaryDirectory("feed-kill-other"))
        try await feed.catchUp(other)
        let partial = try KillLoopTests.contents(other)
        #expect(partial.patents.count == published)
        for (pn, patent) in partial.patents { #expect(patent == expected.patents[pn], "\(pn) differs") }

        // Run again, the import completes; both folders end as one clean import.
        try runPatents(["import", "--data", data, "--no-index", "--database", url, fixtures])
        try await feed.catchUp(other)
        for store in [try PatentStore(directory: data), other] {
            let recovered = try KillLoopTests.contents(store)
            #expect(recovered.patents == expected.patents)
            #expect(recovered.families == expected.families)
        }
        await database.close()
    }
}
