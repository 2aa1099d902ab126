import Foundation
import PatentIngest
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentHTTP
@testable import PatentTasks

/// A full disk loses nothing: an export that runs out of space ends FAIL with the
/// reason, its fee released and nothing left behind; the server keeps answering; an
/// import that runs out of space stops with a clear error and the store stays readable.
@Suite(.serialized) struct DiskFullTests {
    static let body = #"{"query_text": "method OR system OR device", "fields": "PN", "export_type": "pdf", "rows": 1000}"#

    @Test func anExportThatRunsOutOfSpaceFailsAndReleasesItsFee() async throws {
        let disk = try SmallDisk(megabytes: 16)
        defer { disk.unmount() }
        let server = try TestServer(start: false, dataDirectory: (disk.path as NSString).appendingPathComponent("data"))
        try server.tasks.start()
        try await server.run { client in
            func export() async throws -> (id: String, status: Answer) {
                let created = try await client.export(Self.body)
                let id = try #require(created.data["task_id"] as? String, "\(created.message)")
                server.tasks.waitUntilIdle()
                return (id, try await client.get("/patent-search/task?task_id=\(id)"))
            }
            let fits = try await export()
            #expect(fits.status.data["export_status"] as? String == "SUCCESS")
            let size = try #require(fits.status.data["file_size"] as? Int)
            try #require(size > 100_000, "the export must be large enough to overflow the disk: \(size) bytes")

            let before = try #require(try server.tasks.accounts.client(server.client.id))
            try disk.fill(leaving: size / 2)
            let full = try await export()
            #expect(full.status.data["export_status"] as? String == "FAIL")
            #expect(full.status.data["url"] == nil)
            let task = try #require(try server.tasks.tasks.task(full.id))
            #expect(task.error?.contains("No space left on device") == true, "\(task.error ?? "")")
            #expect(!FileManager.default.fileExists(atPath: server.tasks.taskDirectory(full.id)), "the partial file is removed")
            let after = try #require(try server.tasks.accounts.client(server.client.id))
            #expect(after.balance == before.balance, "the fee is released")
            #expect(after.held == 0)
            #expect(try await client.get("/health").ok)
            #expect(try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "method"}"#).ok)

            disk.empty()
            let again = try await export()
            #expect(again.status.data["export_status"] as? String == "SUCCESS")
            #expect(again.status.data["rows_written"] as? Int == fits.status.data["rows_written"] as? Int)
        }
    }

    @Test func anImportThatRunsOutOfSpaceStopsAndTheStoreStaysReadable() throws {
        let disk = try SmallDisk(megabytes: 1)
        defer { disk.unmount() }
        let data = (disk.path as NSString).appendingPathComponent("data")
        var thrown: (any Error)?
        do {
            let store = try PatentStore(directory: data)
            _ = try Importer(store: store).run(paths: [fixtures])
        } catch {
            thrown = error
        }
        let error = try #require(thrown, "1 MB cannot hold the fixtures: the import must stop")
        #expect("\(error)".contains("full"), "\(error)")
        let reopened = try PatentStore(directory: data)
        #expect(try reopened.integrityCheck() == "ok")
        #expect(try reopened.count() >= 0)
    }
}
