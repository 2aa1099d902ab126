import Foundation
import Synchronization

/// Crossing between blocking threads and Swift concurrency, both ways, without ever
/// holding one of Swift's cooperative threads while blocking work runs or waits.

/// Runs blocking work (SQLite, files, an index build, waiting for threads) on a thread of its
/// own and waits for it without holding one of Swift's cooperative threads; what it returns
/// or throws is the caller's.
@discardableResult
public func awaitOffThread<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
    }
    return try result.get()
}

/// Runs `body` as a task — on `executor` when given — and blocks the calling thread until it
/// ends. Call it only from threads of one's own (a work pool's, a command's main thread),
/// never from Swift's cooperative pool nor from `executor`'s threads, which the task needs.
public func waitForTask<T: Sendable>(on executor: (any TaskExecutor)? = nil,
                                     _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let outcome = Mutex<Result<T, any Error>?>(nil)
    Task(executorPreference: executor) {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    // Set before the signal the wait returned on.
    guard let result = outcome.withLock({ $0 }) else { preconditionFailure("the task ended without an outcome") }
    return try result.get()
}
