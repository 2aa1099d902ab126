import Dispatch
import Foundation
import PatentModel
import PatentStore
import Synchronization

/// Writes batches (to the store, or its feed) on a thread of its own while the caller decodes the
/// next documents. At most two batches wait, so memory stays bounded; the first
/// error stops further writes and is rethrown by `finish()`.
final class WritePipeline: Sendable {
    private let write: @Sendable ([PreparedRecord]) throws -> UpsertSummary
    private let queue = DispatchQueue(label: "patents.store-writer")
    private let slots = DispatchSemaphore(value: 2)
    private let state = Mutex(State())
    private let afterCommit: (@Sendable () -> Void)?

    private struct State {
        var summary = UpsertSummary()
        var seconds = 0.0
        var error: (any Error)?
    }

    init(write: @escaping @Sendable ([PreparedRecord]) throws -> UpsertSummary, afterCommit: (@Sendable () -> Void)? = nil) {
        self.write = write
        self.afterCommit = afterCommit
    }

    func submit(_ batch: [PreparedRecord]) throws {
        if let error = state.withLock({ $0.error }) { throw error }
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard state.withLock({ $0.error == nil }) else { return }
            let start = Date()
            do {
                let summary = try write(batch)
                state.withLock {
                    $0.summary.inserted += summary.inserted
                    $0.summary.updated += summary.updated
                    $0.summary.unchanged += summary.unchanged
                    $0.seconds += Date().timeIntervalSince(start)
                }
                afterCommit?()
            } catch {
                state.withLock { $0.error = error }
            }
        }
    }

    /// Waits for every submitted batch; returns the totals.
    func finish() throws -> (summary: UpsertSummary, seconds: Double) {
        queue.sync {}
        return try state.withLock { state in
            if let error = state.error { throw error }
            return (state.summary, state.seconds)
        }
    }
}
