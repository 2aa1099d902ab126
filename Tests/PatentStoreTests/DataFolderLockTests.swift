import Foundation
import PatentTestSupport
import Testing
@testable import PatentStore

/// One writer per data folder: a second one is told who writes, or waits its turn.
@Suite struct DataFolderLockTests {
    @Test func aSecondWriterIsToldWhoHoldsTheFolder() throws {
        let data = try temporaryDirectory("lock")
        var first: DataFolderLock? = try DataFolderLock(directory: data, command: "import", wait: false)
        #expect(throws: DataFolderLock.Failure.self) { try DataFolderLock(directory: data, command: "index", wait: false) }
        do {
            _ = try DataFolderLock(directory: data, command: "index", wait: false)
        } catch let DataFolderLock.Failure.held(holder) {
            #expect(holder?.pid == getpid())
            #expect(holder?.command == "import")
            #expect(DataFolderLock.Failure.held(by: holder).description.contains("process \(getpid()) (patents import) since"))
        }
        withExtendedLifetime(first) {}
        first = nil
        // Released when its holder goes: the next one takes it at once.
        let second = try DataFolderLock(directory: data, command: "index", wait: false)
        withExtendedLifetime(second) {}
    }

    @Test func aWaitingWriterGetsTheFolderWhenTheFirstFinishes() async throws {
        let data = try temporaryDirectory("lock-wait")
        var first: DataFolderLock? = try DataFolderLock(directory: data, command: "import", wait: false)
        let waited = Waiting()
        let waiter = Task.detached {
            let lock = try DataFolderLock(directory: data, command: "index", wait: true) { holder in waited.saw(holder) }
            return (lock, Date())
        }
        while waited.holder == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(waited.holder?.command == "import")
        try await Task.sleep(for: .milliseconds(100))
        let released = Date()
        withExtendedLifetime(first) {}
        first = nil
        let (second, acquired) = try await waiter.value
        #expect(acquired >= released, "the waiter must not get the lock while the first holds it")
        #expect(try String(contentsOfFile: second.path, encoding: .utf8).contains("\"index\""))
    }

    final class Waiting: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: DataFolderLock.Holder?
        var holder: DataFolderLock.Holder? { lock.withLock { seen } }
        func saw(_ holder: DataFolderLock.Holder?) { lock.withLock { seen = holder } }
    }
}
