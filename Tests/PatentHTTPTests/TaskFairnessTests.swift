import Foundation
import PatentTestSupport
import Testing
@testable import PatentHTTP
@testable import PatentTasks

/// One client cannot occupy the writers or the disk: a cap on its pending tasks, writers
/// that serve clients in turn, and a floor of free disk below which no export starts.
@Suite struct TaskFairnessTests {
    static let body = #"{"query_text": "method", "fields": "PN,TTL", "export_type": "csv", "rows": 5}"#

    @Test func aClientsPendingTasksAreCapped() async throws {
        var limits = TestServer.taskLimits
        limits.maximumPendingPerClient = 3
        let server = try TestServer(start: false, taskLimits: limits)
        let other = try server.makeClient()
        try await server.run { api in
            for _ in 0..<3 { #expect(try await api.export(Self.body).ok) }
            let refused = try await api.export(Self.body)
            #expect(refused.status == 429)
            #expect(refused.code == 67200007)
            #expect(refused.message.contains("this client has 3 waiting or being written (at most 3)"), "\(refused.message)")
            #expect(refused.header("Retry-After") == "5")
            // Another client is not held back by the first one's tasks.
            #expect(try await api.with(key: other.key).export(Self.body).ok)
            try server.tasks.start()
            server.tasks.waitUntilIdle()
            #expect(try await api.export(Self.body).ok, "once written, new tasks are taken again")
        }
    }

    @Test func writersServeClientsInTurn() {
        let order = RecordedValues<String>()
        let pool = ExportWorkerPool(workers: 1) { claim in order.append(claim.taskID) }
        for index in 1...5 { pool.enqueue("a\(index)", owner: "big") }
        pool.enqueue("b1", owner: "small")
        pool.enqueue("c1", owner: nil)
        pool.enqueue("a1", owner: "big")
        pool.start()
        pool.waitUntilIdle()
        pool.stop()
        #expect(order.values == ["a1", "b1", "c1", "a2", "a3", "a4", "a5"])
    }

    @Test func noExportStartsBelowTheDiskFloor() async throws {
        var limits = TestServer.taskLimits
        limits.minimumFreeBytes = .max
        let server = try TestServer(taskLimits: limits)
        try await server.run { api in
            let refused = try await api.export(Self.body)
            #expect(refused.status == 503)
            #expect(refused.code == 68300008)
            #expect(refused.message.contains("low on disk space"))
            #expect(try await api.post("/search/patent/query-search-count/v2", #"{"query_text": "method"}"#).ok)
        }
    }
}
