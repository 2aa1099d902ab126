import Foundation
import ServiceLifecycle

/// The export service's background work as swift-service-lifecycle `Service`s, run beside
/// the HTTP server in its service group (Hummingbird's `addServices`): started with it,
/// stopped in reverse order on SIGTERM or SIGINT, after the server stopped taking requests.

/// The export writers: started (tasks left PENDING by an earlier run are queued again) and,
/// at shutdown, stopped — a file being written is left PENDING and written on the next start.
public struct ExportWriters: Service {
    let tasks: ExportTaskService

    public init(_ tasks: ExportTaskService) { self.tasks = tasks }

    public func run() async throws {
        try tasks.start()
        // Returns at graceful shutdown, throws when cancelled: the writers stop either way.
        try? await gracefulShutdown()
        await awaitOffThread { tasks.stop() }
    }
}

/// Deletes expired tasks and their files at start and every `interval` (10 minutes).
public struct TaskSweeper: Service {
    let tasks: ExportTaskService
    let interval: Duration

    public init(_ tasks: ExportTaskService, interval: Duration = .seconds(600)) {
        self.tasks = tasks
        self.interval = interval
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    await awaitOffThread { tasks.sweep() }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // Shutting down.
        }
    }
}
