import Foundation
import Logging

/// Writer threads that take their tasks from a queue several nodes share: each claims the
/// oldest waiting task (``TaskClaiming/claimNext(worker:)``) and writes it under the claim;
/// with nothing to claim it sleeps `pollInterval`, or until a task is created on this node.
/// Every `lease / 2` one of them reaps: tasks whose writer stopped reporting (a node killed,
/// paused or cut off) go back to waiting, or fail once they used up their attempts.
final class ClaimingWorkerPool: WriterThreads, ExportScheduler, @unchecked Sendable {
    private let settings: ClaimSettings
    private let work: @Sendable (TaskClaim) -> Void
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Of the writers running (claiming or writing), those writing.
    private var writing = 0
    /// Tasks created here since a writer last found nothing to claim.
    private var wakeups = 0
    private var lastReap = Date.distantPast

    init(workers: Int, settings: ClaimSettings, logger: Logger, now: @escaping @Sendable () -> Date,
         work: @escaping @Sendable (TaskClaim) -> Void) {
        self.settings = settings
        self.work = work
        self.logger = logger
        self.now = now
        super.init()
        spawn(workers) { [weak self] index in self?.loop(worker: "\(settings.node)/\(index)") }
    }

    func enqueue(_ id: String, owner: String?) {
        condition.lock()
        wakeups += 1
        condition.signal()
        condition.unlock()
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return writing
    }

    func waitUntilIdle() {
        condition.lock()
        while wakeups > 0 || running > 0 { condition.wait() }
        condition.unlock()
    }

    private func loop(worker: String) {
        while true {
            condition.lock()
            if stopping {
                condition.unlock()
                return
            }
            let seen = wakeups
            running += 1
            condition.unlock()
            reapIfDue()
            var claimed: TaskClaim?
            do {
                claimed = try settings.claiming.claimNext(worker: worker)
            } catch {
                logger.error("cannot claim export tasks", metadata: ["error": "\(error)"])
            }
            if let claimed {
                condition.lock()
                writing += 1
                condition.unlock()
                work(claimed)
                condition.lock()
                writing -= 1
                condition.unlock()
            }
            condition.lock()
            running -= 1
            if claimed == nil {
                // Nothing waits: what was created here before the claim was looked for is taken.
                wakeups -= min(wakeups, seen)
                condition.broadcast()
                if wakeups == 0, !stopping { _ = condition.wait(until: Date().addingTimeInterval(settings.pollInterval)) }
            } else {
                condition.broadcast()
            }
            condition.unlock()
        }
    }

    /// Returns expired claims to waiting, at most every half lease across this node's writers.
    private func reapIfDue() {
        condition.lock()
        let due = Date().timeIntervalSince(lastReap) >= settings.claiming.lease / 2
        if due { lastReap = Date() }
        condition.unlock()
        guard due else { return }
        do {
            let (requeued, failed) = try settings.claiming.reap(maxAttempts: settings.maxAttempts, at: now())
            if requeued + failed > 0 {
                logger.warning("export claims expired", metadata: ["requeued": "\(requeued)", "failed": "\(failed)"])
            }
        } catch {
            logger.error("cannot reap expired export claims", metadata: ["error": "\(error)"])
        }
    }
}
