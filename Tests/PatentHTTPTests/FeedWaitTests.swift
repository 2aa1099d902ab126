import Foundation
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentTasks

/// Many machines: a task records the feed revision its search saw, and a writer on a node
/// whose store has not followed the feed that far waits for it before reading patents.
@Suite struct FeedWaitTests {
    @Test func aWriterWaitsUntilItsStoreHasFollowedTheFeedAsFarAsTheTasksSearch() async throws {
        let store = try PatentStore(directory: try temporaryDirectory("feed-wait"))
        try store.applyReplicated([], counters: [:], followed: 4)
        let server = try TestServer(store: store, start: false)
        let body: JSONValue = .object(["query_text": .string("TTL:device"), "fields": .string("PN"),
                                       "export_type": .string("csv"), "rows": .integer(5)])
        let created = try server.tasks.create(try ExportSpecification(body: body), for: nil)
        let task = try server.tasks.task(created.taskID, owner: nil)
        #expect(task.revision == 4, "the revision the creating node's store had followed")

        // The same task as a node that has followed only revision 4 sees one created at 5.
        let ahead = ExportTask(id: task.id, owner: task.owner, specification: task.specification, generation: task.generation,
                               total: task.total, count: task.count, status: task.status, rowsWritten: 0, fileName: task.fileName,
                               createdAt: task.createdAt, updatedAt: task.updatedAt, expiresAt: task.expiresAt, revision: 5)
        // The follower is a thread of its own: the waiting writer blocks this one, and on a
        // loaded machine Swift's few cooperative threads may all be busy.
        let started = Date()
        let followed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(400_000)
            try? store.applyReplicated([], counters: [:], followed: 5)
            followed.signal()
        }
        try server.tasks.awaitFeed(ahead)
        let waited = Date().timeIntervalSince(started)
        followed.wait()
        #expect(waited >= 0.35 && waited < ExportTaskService.feedWait, "waited \(waited) s for the store to follow")
        #expect(try store.followedRevision() == 5)

        // A task from one machine (revision 0) or one the store has followed waits for nothing.
        let immediate = Date()
        try server.tasks.awaitFeed(task)
        #expect(Date().timeIntervalSince(immediate) < 0.2)
    }
}
