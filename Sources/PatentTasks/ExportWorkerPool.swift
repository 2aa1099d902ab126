import Foundation

/// Hands export tasks to a fixed number of writer threads, so long exports never block the
/// server's event loops or Swift's cooperative threads: this process's own queue
/// (``ExportWorkerPool``) or claims from a queue several nodes share (``ClaimingWorkerPool``).
protocol ExportScheduler: AnyObject, Sendable {
    func start()
    /// A task was created (or found waiting) here: queue it, or wake a writer to claim.
    func enqueue(_ id: String, owner: String?)
    /// Tasks queued or being written here.
    var depth: Int { get }
    /// True once `stop` was called: writers check it between pages and leave their task PENDING.
    var isStopping: Bool { get }
    /// Stops taking tasks and waits for running writers to notice.
    func stop()
    /// Waits until nothing is queued or being written (tests, `patents export`).
    func waitUntilIdle()
}

/// What both schedulers share: writer threads around one condition, how many writers are
/// at work, and stopping (writers check `isStopping` between pages; `stop` waits for them).
class WriterThreads: @unchecked Sendable {
    let condition = NSCondition()
    /// Writers at work; `stop` waits until none is.
    var running = 0
    var stopping = false
    private var threads: [Thread] = []

    /// Makes `count` threads (at least one), each running `body` with its index.
    func spawn(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for index in 0..<max(1, count) {
            let thread = Thread { body(index) }
            thread.name = "export-\(index)"
            threads.append(thread)
        }
    }

    func start() { threads.forEach { $0.start() } }

    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}

/// A fixed number of threads that write export files, so long exports never block the
/// server's event loops or Swift's cooperative threads. Jobs are task ids queued per
/// owner and served in turn — one task of each client with work, then the next round —
/// so one client's many large exports never keep another's small one waiting behind
/// them all. An id already queued or being written is not queued twice.
final class ExportWorkerPool: WriterThreads, ExportScheduler, @unchecked Sendable {
    /// Queued ids per owner (`""`: the operator), in arrival order.
    private var queues: [String: [String]] = [:]
    /// Owners with queued ids, in the order they are served next.
    private var turn: [String] = []
    /// Ids queued or being written.
    private var active: Set<String> = []
    private let work: @Sendable (TaskClaim) -> Void

    init(workers: Int, work: @escaping @Sendable (TaskClaim) -> Void) {
        self.work = work
        super.init()
        spawn(workers) { [weak self] _ in self?.loop() }
    }

    func enqueue(_ id: String, owner: String?) {
        let key = owner ?? ""
        condition.lock()
        if active.insert(id).inserted {
            if queues[key, default: []].isEmpty { turn.append(key) }
            queues[key, default: []].append(id)
            condition.signal()
        }
        condition.unlock()
    }

    /// The next id in turn (the lock held, some id queued).
    private func next() -> String {
        let key = turn.removeFirst()
        var ids = queues[key] ?? []
        let id = ids.removeFirst()
        if ids.isEmpty {
            queues[key] = nil
        } else {
            queues[key] = ids
            turn.append(key)
        }
        return id
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return active.count
    }

    func waitUntilIdle() {
        condition.lock()
        while !turn.isEmpty || running > 0 { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while turn.isEmpty && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            let id = next()
            running += 1
            condition.unlock()
            work(TaskClaim(taskID: id, attempt: 0))
            condition.lock()
            running -= 1
            active.remove(id)
            condition.broadcast()
            condition.unlock()
        }
    }
}
