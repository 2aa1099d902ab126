import Foundation
import PatentTasks

/// Runs postgres-nio's async calls for the repositories' blocking methods.
///
/// The repositories block like SQLite's (they are called on the request pool's threads and
/// the export writers', never on an event loop), so a call waits for its query here. The
/// query, and the connection pool's own work (`PostgresClient.run`), run on threads of this
/// executor rather than Swift's cooperative pool: a caller blocked on any other thread —
/// even one of the cooperative pool, as a test's body is — can never starve the work it
/// waits for.
final class BlockingBridge: TaskExecutor, @unchecked Sendable {
    static let shared = BlockingBridge(threads: 4)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.loop() }
            thread.name = "postgres-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Starts `body` as a task on this executor.
    @discardableResult
    func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
        Task(executorPreference: self) { try await body() }
    }

    /// Runs `body` on this executor and waits for what it returns or throws. Never call it
    /// from this executor's own threads.
    func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try waitForTask(on: self, body)
    }
}
