import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Crypto
import GRDB
import PatentIndex
import PatentIngest
import PatentModel
import PatentSearch
import PatentTestSupport
import Testing
@testable import PatentAccounts
@testable import PatentStore
@testable import PatentTasks

/// Faults lose nothing: `kill -9` of the real binary during an import, an index build and
/// an export, each round proving that its kill landed mid-work (the process was still
/// running and had done part of the job), then that the store, the index and the file
/// recovered are exactly what a clean run gives. The binary's test hooks
/// (`PATENTS_TEST_BATCH`, `PATENTS_TEST_PAUSE_MS`) commit in small batches and pause
/// between them, so that a kill sent on seeing progress lands before the end.
///
/// Rounds: 1 each in `make test` (`CrashPointTests` crash at exact places there too);
/// `make test-long` sets `PATENTS_KILL_ROUNDS=50`.
@Suite(.serialized) struct KillLoopTests {
    static let rounds = ProcessInfo.processInfo.environment["PATENTS_KILL_ROUNDS"].flatMap { Int($0) } ?? 1
    static let hooks = ["PATENTS_TEST_BATCH": "8", "PATENTS_TEST_PAUSE_MS": "40"]
    /// Exports are watched over HTTP, slower than a file read: pages of 4 rows, 100 ms
    /// apart, leave a window of about 2 s between the first progress and the last page.
    /// Pages of 4 rows, 300 ms apart: the 86-row export lasts about 6.5 s, so a status poll
    /// slowed by a loaded machine (CI runs suites side by side) still sees it mid-file.
    static let exportHooks = ["PATENTS_TEST_BATCH": "4", "PATENTS_TEST_PAUSE_MS": "300"]

    /// Polls `probe` every 2 ms until it returns a value (at most 30 s).
    static func await<T>(_ what: String, _ probe: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let value = try? probe() { return value }
            usleep(2_000)
        }
        throw E2EError("no \(what) after 30 s")
    }

    /// Publications in a store file, read without opening it for writing.
    static func storedCount(_ data: String) throws -> Int? {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: (data as NSString).appendingPathComponent("patents.sqlite"), configuration: configuration)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent") }
    }

    /// Every record with its families as partitions (family ids may differ between runs).
    static func contents(_ store: PatentStore) throws -> (patents: [String: Patent], families: [FamilyLevel: Set<Set<String>>]) {
        let pns = try store.pool.read { db in try String.fetchAll(db, sql: "SELECT pn FROM patent") }
        let stored = try store.patents(pns)
        var groups: [FamilyLevel: [Int: Set<String>]] = [:]
        for (pn, patent) in stored {
            for (level, id) in patent.families { groups[level, default: [:]][id, default: []].insert(pn) }
        }
        return (stored.mapValues(\.patent), groups.mapValues { Set($0.values) })
    }

    @Test func killDuringImport() throws {
        let clean = try PatentStore(directory: try temporaryDirectory("kill-import-clean"))
        _ = try Importer(store: clean).run(paths: [fixtures])
        let expected = try Self.contents(clean)
        let total = expected.patents.count
        for round in 0..<Self.rounds {
            let data = try temporaryDirectory("kill-import")
            let process = try startPatents(["import", "--data", data, "--no-index", fixtures], environment: Self.hooks)
            let seen = try Self.await("first batch") { try Self.storedCount(data).flatMap { $0 > 0 ? $0 : nil } }
            #expect(killLanded(process), "round \(round): the import had already ended")
            let stored = try #require(try Self.storedCount(data))
            #expect(stored >= seen && stored < total, "round \(round): the kill must land mid-import (\(stored) of \(total))")

            let store = try PatentStore(directory: data)
            #expect(try store.integrityCheck() == "ok")
            let partial = try Self.contents(store)
            #expect(partial.patents.count == stored)
            for (pn, patent) in partial.patents { #expect(patent == expected.patents[pn], "round \(round): \(pn) differs") }
            let withoutFamilies = try store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent p WHERE (SELECT COUNT(*) FROM family f WHERE f.pn = p.pn) != 3")
            }
            #expect(withoutFamilies == 0, "round \(round): every stored patent has its families")

            try runPatents(["import", "--data", data, "--no-index", fixtures])
            let recovered = try Self.contents(store)
            #expect(recovered.patents == expected.patents, "round \(round)")
            #expect(recovered.families == expected.families, "round \(round)")
            try? FileManager.default.removeItem(atPath: data)
        }
    }

    static let queries = ["method", "TTL:(system OR apparatus)", "ABST:\"control unit\"", "TA:(data $W3 signal)",
                          "IPC:G06F", "PBD:[20000101 TO 20201231] AND TAC:device", "AUTHORITY:EP OR AUTHORITY:WO"]

    static func answers(_ searcher: Searcher) throws -> [SearchResult] {
        try queries.map { query in
            var request = SearchRequest(query: query)
            request.rows = 1_000
            return try searcher.search(request)
        }
    }

    /// The fixtures in a new store, written in batches of 8: index commits then fall
    /// between store revisions, one after another.
    static func storeInSmallBatches(_ name: String) throws -> (data: String, store: PatentStore) {
        let data = try temporaryDirectory(name)
        let store = try PatentStore(directory: data)
        var importer = Importer(store: store)
        importer.decodeBatch = 8
        importer.writeBatch = 8
        _ = try importer.run(paths: [fixtures])
        return (data, store)
    }

    /// The queries' answers on an index built from `store` in one clean run.
    static func freshAnswers(_ store: PatentStore) throws -> [SearchResult] {
        let fresh = try temporaryDirectory("index-fresh")
        try IndexUpdater(store: store, directory: fresh).update()
        return try answers(Searcher(snapshot: try IndexSnapshot.open(directory: fresh)))
    }

    @Test func killDuringIndexing() throws {
        let (data, store) = try Self.storeInSmallBatches("kill-index")
        let expected = try Self.freshAnswers(store)
        let total = try store.count()
        let index = (data as NSString).appendingPathComponent("index")
        let everything = "PBD:[* TO *] OR NOT PBD:[* TO *]"
        for round in 0..<Self.rounds {
            try? FileManager.default.removeItem(atPath: index)
            let process = try startPatents(["index", "--data", data], environment: Self.hooks)
            _ = try Self.await("first commit") { () -> Int? in
                let generation = try IndexSnapshot.open(directory: index).generation
                return generation > 0 ? generation : nil
            }
            #expect(killLanded(process), "round \(round): the index build had already ended")
            let snapshot = try IndexSnapshot.open(directory: index)
            let indexed = try Searcher(snapshot: snapshot).matchingPublications(everything).count
            #expect(indexed > 0 && indexed < total, "round \(round): the kill must land mid-build (\(indexed) of \(total))")

            try runPatents(["index", "--data", data])
            let recovered = try Self.answers(Searcher(snapshot: try IndexSnapshot.open(directory: index)))
            for (query, (got, want)) in zip(Self.queries, zip(recovered, expected)) {
                #expect(got.total == want.total, "round \(round): \(query)")
                #expect(got.hits.map(\.pn) == want.hits.map(\.pn), "round \(round): \(query)")
                let drift = zip(got.hits, want.hits).map { abs($0.score - $1.score) }.max() ?? 0
                #expect(drift < 1e-9, "round \(round): \(query) scores differ by \(drift)")
            }
        }
        try? FileManager.default.removeItem(atPath: data)
    }

    @Test func killDuringExport() async throws {
        let data = try temporaryDirectory("kill-export")
        try runPatents(["import", "--data", data, fixtures])
        let key = try makeClientKey(data: data)
        let clientID = try #require(try AccountStore(directory: data).clients().first?.id)
        let body = #"{"query_text": "PBD:[19000101 TO 20991231]", "fields": "PN,TTL,ABST,AN,IN,APD,PBD,IPC", "export_type": "csv", "rows": 1000}"#
        func created(_ server: RunningServer) async throws -> (id: String, count: Int) {
            let answer = try await server.call("POST", "/patent-search/export/V2", body)["data"] as? [String: Any]
            return (try #require(answer?["task_id"] as? String), try #require(answer?["count"] as? Int))
        }

        var server = try RunningServer(data: data, key: key)
        let reference = try await server.finished(try await created(server).id)
        let sha256 = try #require(reference["sha256"] as? String)
        server.stop()

        for round in 0..<Self.rounds {
            server = try RunningServer(data: data, key: key, environment: Self.exportHooks)
            let (id, count) = try await created(server)
            var written = 0
            let deadline = Date().addingTimeInterval(30)
            while written == 0, Date() < deadline {
                let status = try await server.call("GET", "/patent-search/task?task_id=\(id)")["data"] as? [String: Any]
                written = status?["rows_written"] as? Int ?? 0
            }
            #expect(killLanded(server.process), "round \(round): the server had ended")
            #expect(written > 0 && written < count, "round \(round): the kill must land mid-file (\(written) of \(count) rows)")
            let files = try FileManager.default.contentsOfDirectory(atPath: data + "/exports/\(id)")
            #expect(files.allSatisfy { $0.hasSuffix(".part") }, "round \(round): no complete-looking file before the end: \(files)")

            server = try RunningServer(data: data, key: key)
            let task = try await server.finished(id)
            #expect(task["export_status"] as? String == "SUCCESS", "round \(round)")
            #expect(task["sha256"] as? String == sha256, "round \(round): the file differs from a clean run's")
            let file = try await server.download(try #require(task["url"] as? String))
            #expect(Array(SHA256.hash(data: file)).map { String(format: "%02x", $0) }.joined() == sha256)
            server.stop()
        }

        let statement = try AccountStore(directory: data).statement(clientID)
        #expect(statement.toppedUp - statement.reserved + statement.released == statement.client.balance)
        #expect(statement.reserved - statement.charged - statement.released == statement.client.held)
        #expect(statement.client.held == 0, "every task was charged or released")
        try? FileManager.default.removeItem(atPath: data)
    }
}
