import Crypto
import Foundation
import GRDB
@testable import PatentIndex
import PatentIngest
import PatentSearch
import PatentTestSupport
import Testing
@testable import PatentStore

/// Crashes at exact places (`PATENTS_TEST_CRASH`, read only by the binary's test hook):
/// inside a store write batch, on either side of the index manifest's rename, and after
/// an export page. Each test proves the crash fired (the process died of SIGKILL, not an
/// exit of its own), checks the partial state that place must leave, then that the
/// recovered store, index or file equals a clean run's. `KillLoopTests` kills at random
/// moments on top of these.
@Suite struct CrashPointTests {
    static func crashed(_ arguments: [String], at point: String, batch: Int) throws {
        let process = try startPatents(arguments, environment: ["PATENTS_TEST_BATCH": String(batch), "PATENTS_TEST_CRASH": point])
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                "\(arguments[0]) must die at \(point), not exit (status \(process.terminationStatus))")
    }

    @Test func aCrashInsideAStoreBatchKeepsExactlyTheBatchesBefore() throws {
        let clean = try PatentStore(directory: try temporaryDirectory("crash-store-clean"))
        let counts = RecordedValues<Int>()
        var importer = Importer(store: clean)
        importer.decodeBatch = 8
        importer.writeBatch = 8
        importer.afterBatch = { counts.append((try? clean.count()) ?? -1) }
        _ = try importer.run(paths: [fixtures])
        let expected = try KillLoopTests.contents(clean)
        let afterFirstBatch = try #require(counts.values.first)

        let data = try temporaryDirectory("crash-store")
        try Self.crashed(["import", "--data", data, "--no-index", fixtures], at: "store.batch-half-written:2", batch: 8)
        let store = try PatentStore(directory: data)
        #expect(try store.integrityCheck() == "ok")
        let partial = try KillLoopTests.contents(store)
        #expect(partial.patents.count == afterFirstBatch, "the half-written second batch is rolled back, the first kept")
        for (pn, patent) in partial.patents { #expect(patent == expected.patents[pn], "\(pn) differs") }

        try runPatents(["import", "--data", data, "--no-index", fixtures])
        let recovered = try KillLoopTests.contents(store)
        #expect(recovered.patents == expected.patents)
        #expect(recovered.families == expected.families)
    }

    static func recoveredIndexMatches(_ data: String, _ expected: [SearchResult]) throws {
        try runPatents(["index", "--data", data])
        let index = (data as NSString).appendingPathComponent("index")
        let recovered = try KillLoopTests.answers(Searcher(snapshot: try IndexSnapshot.open(directory: index)))
        for (query, (got, want)) in zip(KillLoopTests.queries, zip(recovered, expected)) {
            #expect(got.total == want.total && got.hits.map(\.pn) == want.hits.map(\.pn), "\(query)")
            #expect(zip(got.hits, want.hits).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(query)")
        }
        let manifest = try IndexManifest.load(from: FileSystemDirectory(existing: index))
        let stray = try FileManager.default.contentsOfDirectory(atPath: index).filter { !manifest.files.contains($0) && $0 != "write.lock" }
        #expect(stray.isEmpty, "files no manifest names are removed: \(stray)")
    }

    /// Before the rename the previous generation stands, with the flushed manifest and the
    /// segment it named left over; after it the new generation stands.
    @Test(arguments: ["index.manifest-written:2", "index.manifest-renamed:2"])
    func aCrashAroundTheManifestRenameLeavesOneWholeGeneration(point: String) throws {
        let (data, store) = try KillLoopTests.storeInSmallBatches("crash-index")
        let expected = try KillLoopTests.freshAnswers(store)
        try Self.crashed(["index", "--data", data], at: point, batch: 8)
        let index = (data as NSString).appendingPathComponent("index")
        let snapshot = try IndexSnapshot.open(directory: index)
        let files = try FileManager.default.contentsOfDirectory(atPath: index)
        #expect(snapshot.liveDocuments > 0)
        if point.hasPrefix("index.manifest-written") {
            #expect(snapshot.generation == 1, "the second commit's manifest never took effect")
            #expect(files.contains { $0.hasPrefix("manifest.json.tmp-") }, "the flushed, unrenamed manifest is left: \(files)")
            #expect(files.count { $0.hasPrefix("seg-") } > snapshot.segments.count, "and the segment it named: \(files)")
        } else {
            #expect(snapshot.generation == 2 && snapshot.segments.count == 2 * IndexUpdater.defaultThreads,
                    "the renamed manifest is the index: two commits of a segment per indexing thread")
        }
        try Self.recoveredIndexMatches(data, expected)
    }

    @Test func aCrashAfterAnExportPageLeavesAPartialFileThatTheRestartFinishes() async throws {
        let data = try temporaryDirectory("crash-export")
        try runPatents(["import", "--data", data, fixtures])
        let key = try makeClientKey(data: data)
        let body = #"{"query_text": "PBD:[19000101 TO 20991231]", "fields": "PN,TTL,AN,PBD,IPC", "export_type": "csv", "rows": 1000}"#
        var server = try RunningServer(data: data, key: key)
        let clean = try #require(try await server.call("POST", "/patent-search/export/V2", body)["data"] as? [String: Any])
        let reference = try await server.finished(try #require(clean["task_id"] as? String))
        server.stop()

        server = try RunningServer(data: data, key: key, environment: ["PATENTS_TEST_BATCH": "4", "PATENTS_TEST_CRASH": "export.page-written:3"])
        // The writer may reach its third page, and the process its end, before the answer
        // to the create leaves it: then the task is found in the task database.
        let created = try? await server.call("POST", "/patent-search/export/V2", body)["data"] as? [String: Any]
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .uncaughtSignal && server.process.terminationStatus == SIGKILL)
        let queue = try DatabaseQueue(path: data + "/tasks.sqlite")
        let cleanID = try #require(clean["task_id"] as? String)
        let row = try #require(try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT id, count, status, rows_written FROM export_task WHERE id != ?", arguments: [cleanID])
        })
        let id: String = row["id"]
        let count: Int = row["count"]
        if let created { #expect(created["task_id"] as? String == id && created["count"] as? Int == count) }
        #expect(row["rows_written"] as Int == 12 && count > 12, "three pages of four rows, of \(count)")
        #expect(row["status"] as String != "SUCCESS")
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/exports/\(id)")
        #expect(!files.isEmpty && files.allSatisfy { $0.hasSuffix(".part") }, "only a partial file: \(files)")

        server = try RunningServer(data: data, key: key)
        let task = try await server.finished(id)
        #expect(task["export_status"] as? String == "SUCCESS")
        #expect(task["sha256"] as? String == reference["sha256"] as? String, "the file equals a clean run's")
        server.stop()
    }
}
