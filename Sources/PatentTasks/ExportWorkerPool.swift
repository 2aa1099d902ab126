import Foundation

/// A fixed number of threads that write export files, so long exports never block the
/// server's event loops or Swift's cooperative threads. Jobs are task ids queued per
/// owner and served in turn — one task of each client with work, then the next round —
/// so one client's many large exports never keep another's small one waiting behind
/// them all. An id already queued or being written is not queued twice.
final class ExportWorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    /// Queued ids per owner (`""`: the operator), in arrival order.
    private var queues: [String: [String]] = [:]
    /// Owners with queued ids, in the order they are served next.
    private var turn: [String] = []
    /// Ids queued or being written.
    private var active: Set<String> = []
    private var running = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let work: @Sendable (String) -> Void

    init(workers: Int, work: @escaping @Sendable (String) -> Void) {
        self.work = work
        for index in 0..<max(1, workers) {
            let thread = Thread { [weak self] in self?.loop() }
            thread.name = "export-\(index)"
            threads.append(thread)
        }
    }

    func start() { threads.forEach { $0.start() } }

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

    /// Tasks queued or being written.
    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return active.count
    }

    /// True once `stop` was called: jobs check it between pages and leave their task PENDING.
    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Stops taking jobs and waits for running ones to notice.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    /// Waits until the queue is empty and no job runs (tests, `patents export`).
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
            work(id)
            condition.lock()
            running -= 1
            active.remove(id)
            condition.broadcast()
            condition.unlock()
        }
    }
}
