import Foundation
import Logging
import PatentModel
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentPostgres

/// The patents' feed: batches published through different nodes reach every node's store
/// as the same rows, with the same family ids, as one store importing them in turn.
@Suite("Patents' feed on PostgreSQL")
struct PatentFeedTests {
    static func patent(_ pn: String, family: String? = nil, priorities: [String] = [], title: String = "A device") -> PreparedRecord {
        var patent = Patent(publication: PublicationNumber(parsing: pn)!)
        patent.docdbFamilyID = family
        patent.priorities = priorities.map { DocumentReference(office: String($0.prefix(2)), number: String($0.dropFirst(2))) }
        patent.titles = [LocalizedText(language: "en", text: title)]
        if pn.hasPrefix("EP") {  // some with claims: their text travels in a column of its own
            patent.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "\(title) comprising a lever.")])]
        }
        return PreparedRecord(patent: patent, encoded: nil)
    }

    /// Every stored row by PN, without the store's own revision numbers.
    static func rows(_ store: PatentStore) throws -> [String: StoredRecord] {
        let rows = try store.changedRecords(after: 0, limit: 10_000)
        return Dictionary(uniqueKeysWithValues: rows.map {
            ($0.pn, StoredRecord(pn: $0.pn, revision: 0, record: $0.record, text: $0.text, families: $0.families))
        })
    }

    /// Four batches: two families, a patent joining them, a DOCDB family, a re-import
    /// splitting the joined family again, and one changing nothing.
    static let batches: [[PreparedRecord]] = [
        [patent("EP1A1", priorities: ["US1"]), patent("EP2A1", priorities: ["US2"]), patent("CN5A", priorities: ["JP5"])],
        [patent("WO3A1", priorities: ["US1", "US2"]), patent("JP4A", family: "77", priorities: ["US9"]),
         patent("US6B2", family: "77", priorities: ["US8"])],
        [patent("WO3A1", priorities: ["US2"], title: "A device, amended")],
        [patent("EP1A1", priorities: ["US1"])],
    ]

    @Test("batches published through two nodes give both, and a node joining late, one store's rows and family ids")
    func twoNodesAndALateOneAgreeWithOneStore() async throws {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("feed"))
        try await database.migrate()
        var feed = PatentFeed(database: database)
        feed.chunkBytes = 1  // every row a statement of its own: the chunks' seams are crossed
        let a = try PatentStore(directory: try temporaryDirectory("feed-a"))
        let b = try PatentStore(directory: try temporaryDirectory("feed-b"))
        let reference = try PatentStore(directory: try temporaryDirectory("feed-reference"))

        var summaries: [UpsertSummary] = []
        for (i, batch) in Self.batches.enumerated() {
            summaries.append(try await feed.publish(batch, through: i % 2 == 0 ? a : b))
            try reference.upsert(batch)
        }
        #expect(summaries.map(\.inserted) == [3, 3, 0, 0])
        #expect(summaries.map(\.updated) == [0, 0, 1, 0])
        #expect(summaries[3].unchanged == 1)
        #expect(try await feed.head() == 3, "the batch changing nothing published nothing")
        try await feed.catchUp(a)
        try await feed.catchUp(b)

        // A node joining late reads the feed in pages that end inside a revision.
        var paged = feed
        paged.pageSize = 2
        let late = try PatentStore(directory: try temporaryDirectory("feed-late"))
        #expect(try await paged.catchUp(late) == 6)

        let expected = try Self.rows(reference)
        #expect(expected.count == 6)
        #expect(expected.values.filter { $0.text != nil }.map(\.pn).sorted() == ["EP1A1", "EP2A1"])
        for store in [a, b, late] {
            #expect(try Self.rows(store) == expected)
            #expect(try store.followedRevision() == 3)
        }
        // The families are the real ones: WO3A1 left EP1A1's INPADOC family for EP2A1's,
        // the DOCDB family is named by its source id, the split left local ids.
        let family = { (pn: String, level: FamilyLevel) in expected[pn]?.families[level] }
        #expect(family("WO3A1", .inpadoc) == family("EP2A1", .inpadoc))
        #expect(family("WO3A1", .inpadoc) != family("EP1A1", .inpadoc))
        #expect(family("JP4A", .docdb) == 77 && family("US6B2", .docdb) == 77)
        #expect((family("CN5A", .extended) ?? 0) >= FamilyLevel.localIDBase)

        // The late node publishes a new family: its id is new on every node (the counters
        // came with the feed), and the others take the row.
        _ = try await feed.publish([Self.patent("KR8A", priorities: ["KR8"])], through: late)
        try reference.upsert([Self.patent("KR8A", priorities: ["KR8"])])
        try await feed.catchUp(a)
        let after = try Self.rows(a)
        #expect(after == (try Self.rows(reference)))
        let others = Set(expected.values.compactMap { $0.families[.inpadoc] })
        #expect(after["KR8A"]?.families[.inpadoc].map { !others.contains($0) } == true)
        await database.close()
    }

    @Test("a folder holding patents imported without the feed is told apart: exactly those are counted")
    func patentsImportedWithoutTheFeedAreCounted() async throws {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("feed-local"))
        try await database.migrate()
        let feed = PatentFeed(database: database)
        let publisher = try PatentStore(directory: try temporaryDirectory("feed-publisher"))
        try await feed.publish(Self.batches[0] + Self.batches[1], through: publisher)
        let directory = try temporaryDirectory("feed-local")
        let node = try PatentStore(directory: directory)
        try node.upsert([Self.patent("KR7A"), Self.patent("EP1A1", priorities: ["US1"])])
        let follower = FeedFollower(feed: feed, store: node, dataDirectory: directory, logger: Logger(label: "test")) {}
        follower.round()
        #expect(try node.count() == 7, "the six published and KR7A")
        #expect(try follower.localPatents() == 1, "EP1A1 is published too; only KR7A is this folder's own")
        #expect(try FeedFollower(feed: feed, store: publisher, dataDirectory: directory, logger: Logger(label: "test")) {}
            .localPatents() == 0)
    }

    @Test("an original PDF published through one node is saved on the others, the newer one replacing the older")
    func originalPDFsReachEveryNode() async throws {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("originals"))
        try await database.migrate()
        let feed = PatentFeed(database: database)
        let a = try PatentStore(directory: try temporaryDirectory("originals-a"))
        let b = try PatentStore(directory: try temporaryDirectory("originals-b"))
        let first = Array(minimalPDF(text: "first")), second = Array(minimalPDF(text: "second"))
        try await feed.publishOriginal(first, pn: "EP1A1", through: a)
        try await feed.publishOriginal(Array(minimalPDF(text: "other")), pn: "US2B2", through: b)
        try await feed.publishOriginal(second, pn: "EP1A1", through: b)
        let heads = try await feed.heads()
        #expect(heads.originals == 3 && heads.records == 0)
        #expect(try await feed.catchUp(a) == 2, "the two published through B")
        for store in [a, b] {
            let saved = try #require(store.originalPDF("EP1A1"))
            #expect(FileManager.default.contents(atPath: saved) == Data(second))
            #expect(store.originalPDF("US2B2") != nil)
            #expect(try store.followedOriginalsRevision() == 3)
        }
        await database.close()
    }
}
