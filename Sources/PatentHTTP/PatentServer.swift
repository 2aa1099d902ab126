import Foundation
import Hummingbird
import Logging
import PatentStore
import PatentTasks

/// How `patents serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; the chosen one is logged and passed to `onRunning`.
    public var port = 8080
    public var dataDirectory = "./patents-data"
    /// Scheme and host download links are built on; the request's Host header when nil.
    public var publicURL: String?
    /// Threads writing export files.
    public var workers = 2

    public init() {}
}

/// The server: routes on Hummingbird, the export service behind them, and a sweeper
/// that deletes expired tasks and files every ten minutes.
public enum PatentServer {
    /// All routes of the API over `tasks` and `search`.
    public static func router(tasks: ExportTaskService, search: SearchService, store: PatentStore,
                              publicURL: String?) -> Router<PatentRequestContext> {
        let router = Router(context: PatentRequestContext.self)
        router.add(middleware: EnvelopeMiddleware())
        ExportRoutes(tasks: tasks, publicURL: publicURL).register(on: router)
        DownloadRoute(tasks: tasks).register(on: router)
        PreviewRoutes(search: search).register(on: router)
        router.get("/health") { _, _ in
            Envelope.success(Health(patents: try store.count(), index_generation: try search.searcher().snapshot.generation))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        return router
    }

    struct Health: Encodable {
        let patents: Int
        let index_generation: Int
    }

    /// Runs until SIGTERM or SIGINT. Export files being written when the server stops stay
    /// PENDING and are written again on the next start.
    public static func run(_ configuration: ServerConfiguration, logger: Logger,
                           onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let store = try PatentStore(directory: configuration.dataDirectory)
        let search = SearchService(indexDirectory: (configuration.dataDirectory as NSString).appendingPathComponent("index"))
        let tasks = try ExportTaskService(dataDirectory: configuration.dataDirectory, store: store, search: search,
                                          workers: configuration.workers, logger: logger)
        tasks.sweep()
        try tasks.start()
        let app = Application(
            router: router(tasks: tasks, search: search, store: store, publicURL: configuration.publicURL),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "patents"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("serving", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                onRunning(port)
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(600))
                    tasks.sweep()
                }
            }
            try await group.next()
            group.cancelAll()
        }
        tasks.stop()
    }
}
