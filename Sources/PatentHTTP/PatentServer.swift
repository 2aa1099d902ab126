import Foundation
import Hummingbird
import PatentAccounts
import ServiceLifecycle
import HummingbirdCore
import Logging
import PatentStore
import PatentTasks
import Prometheus

/// How `patents serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; the chosen one is logged and passed to `onRunning`.
    public var port = 8080
    public var dataDirectory = "./patents-data"
    /// Scheme and host download links are built on; the bound address when nil (never
    /// the request's Host header).
    public var publicURL: String?
    /// Threads writing export files.
    public var workers = 2
    public var limits = PlatformLimits()
    public var connections = ConnectionLimits()
    /// Pending tasks per client and the disk floor (``TaskLimits``).
    public var taskLimits = TaskLimits()
    /// How export files are written page by page (``ExportPaging``).
    public var exportPaging = ExportPaging()
    /// Balance of the demo client made on first run, in cents.
    public var demoBalance = 100_00
    /// Where tasks, accounts, the signing key and export files are kept; nil: the data
    /// folder (``ServiceStorage/local(directory:hashing:)``).
    public var storage: ServiceStorage?
    /// More services to run beside the server and the export service's own (the node's
    /// feed follower on many machines); stopped after the server at shutdown.
    public var services: [any Service] = []
    /// The cluster's shared secret: with it the node answers signed shard calls of sharded
    /// searches (`ClusterRoutes`); nil (the default): it answers none.
    public var cluster: ClusterSignature?
    /// A node of a sharded cluster: where its shards' indexes are (`ShardKeeper` pulls them
    /// there), so that shard calls naming a shard are answered.
    public var shardsDirectory: String?
    /// A node of a sharded cluster: per shard, the replicas serving it now. With it (and
    /// `cluster`), the API's searches go to the shards (`ClusterEngine`), not the node's index.
    public var clusterReplicas: (@Sendable () -> [[String]])?

    public init() {}
}

/// What the routes work on.
public struct ServerServices: Sendable {
    public let tasks: ExportTaskService
    public let search: SearchService
    /// Where the API's searches run: `search` on one machine, the shards on a cluster.
    public var engine: any SearchEngine
    public let store: PatentStore
    public let limits: PlatformLimits
    /// Where `/metrics` reads from; the factory of `tasks.metrics` writes into it.
    public let registry: PrometheusCollectorRegistry
    /// Where routes run searches, SQLite and parsing (``WorkPool/requests``).
    public let work: WorkPool
    /// Where `/oauth/token` derives keys from secrets (``WorkPool/secrets``), bounded.
    public let secrets: WorkPool
    let limiter = RateLimiter()
    /// Shard calls are answered only with a cluster secret (`ServerConfiguration.cluster`).
    public var cluster: ClusterSignature?
    /// The shards this node serves (a node of a sharded cluster).
    public var shards: ShardSearchers?

    public init(tasks: ExportTaskService, search: SearchService, store: PatentStore, limits: PlatformLimits = PlatformLimits(),
                registry: PrometheusCollectorRegistry, work: WorkPool = .requests, secrets: WorkPool = .secrets) {
        self.work = work
        self.secrets = secrets
        self.tasks = tasks
        self.search = search
        self.engine = search
        self.store = store
        self.limits = limits
        self.registry = registry
    }

    /// A Prometheus registry and the metrics that write into it.
    public static func prometheus() -> (PrometheusCollectorRegistry, ServiceMetrics) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[ServiceMetrics.searchDuration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        return (registry, ServiceMetrics(factory: factory))
    }
}

/// Credentials of the client made on first run, shown once.
public struct DemoClient: Sendable {
    public let clientID: String
    public let secret: String
    public let apiKey: String
    public let balance: Int
}

/// The server: routes on Hummingbird, the export service behind them, and a sweeper
/// that deletes expired tasks and files every ten minutes.
public enum PatentServer {
    /// All routes of the API. Business routes require a client (``ClientAuthentication``);
    /// `/oauth/token`, signed downloads, `/health`, `/metrics`, `/openapi.json` and the
    /// sandbox page with its reference (`SandboxRoutes`) do not.
    public static func router(_ services: ServerServices, links: DownloadLinks) -> Router<PatentRequestContext> {
        let router = Router(context: PatentRequestContext.self)
        router.add(middleware: EnvelopeMiddleware(metrics: services.tasks.metrics))
        let now = services.tasks.now
        func guarded(_ api: PlatformAPI) -> RouterGroup<PatentRequestContext> {
            router.group().add(middleware: ClientAuthentication(accounts: services.tasks.accounts, work: services.work,
                                                                 limiter: services.limiter,
                                                                 limits: services.limits, api: api, now: now))
        }
        ExportRoutes(tasks: services.tasks, work: services.work, links: links).register(on: guarded(.export))
        PreviewRoutes(search: services.engine, work: services.work)
            .register(count: guarded(.count), preview: guarded(.preview))
        TokenRoute(accounts: services.tasks.accounts, secrets: services.secrets, limiter: services.limiter,
                   limits: services.limits, now: now)
            .register(on: router)
        DownloadRoute(tasks: services.tasks, work: services.work).register(on: router)
        SandboxRoutes(tasks: services.tasks, work: services.work).register(on: router)
        if let signature = services.cluster {
            ClusterRoutes(search: services.search, shards: services.shards, work: .shards, signature: signature)
                .register(on: router)
        }
        router.get("/health") { _, _ in
            let health = try await services.work.run {
                // A node of a sharded cluster may hold no index of its own: its shards answer.
                Health(patents: try services.store.count(),
                       index_generation: services.shards == nil ? try services.search.searcher().snapshot.generation
                           : (try? services.search.searcher().snapshot.generation) ?? 0,
                       index_verified: services.search.isVerified)
            }
            return Envelope.success(health)
        }
        router.get("/metrics") { _, _ in
            try await services.work.run { services.tasks.recordGauges() }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: services.registry.emitToBuffer())))
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
        /// False while the index's checksums are still being verified in the background
        /// after it was opened (searches work meanwhile, on a busier machine).
        let index_verified: Bool
    }

    /// On a data folder without clients: a demo client with every API, all field levels,
    /// `balance` cents and one `sk-` key. Nil when clients exist.
    public static func makeDemoClientIfNone(_ accounts: AccountStore, balance: Int) throws -> DemoClient? {
        guard try accounts.isEmpty else { return nil }
        var new = AccountStore.NewClient(name: "demo")
        new.balance = balance
        let (client, secret) = try accounts.createClient(new)
        return DemoClient(clientID: client.id, secret: secret, apiKey: try accounts.createKey(for: client.id), balance: balance)
    }

    /// The HTTP/1 application: the routes, with every connection under ``ConnectionLimits``
    /// (deadlines for a request's head and body and for keep-alive, a cap on connections).
    public static func application(_ services: ServerServices, links: DownloadLinks, host: String, port: Int,
                                   connections: ConnectionLimits, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) -> Void = { _ in })
        -> Application<RouterResponder<PatentRequestContext>> {
        let count = ConnectionCount()
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(limits: connections, connections: count)],
            idleTimeout: connections.keepAliveTimeout)
        return Application(
            router: router(services, links: links),
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(host, port: port), serverName: "patents"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Runs until SIGTERM or SIGINT. Export files being written when the server stops stay
    /// PENDING and are written again on the next start. `onRunning` gets the port and, on
    /// a first run, the demo client.
    public static func run(_ configuration: ServerConfiguration, logger: Logger,
                           onRunning: @escaping @Sendable (Int, DemoClient?) -> Void = { _, _ in }) async throws {
        let store = try PatentStore(directory: configuration.dataDirectory)
        let (registry, metrics) = ServerServices.prometheus()
        let search = SearchService(indexDirectory: (configuration.dataDirectory as NSString).appendingPathComponent("index"),
                                   metrics: metrics)
        let engine: any SearchEngine = if let signature = configuration.cluster, let replicas = configuration.clusterReplicas {
            ClusterEngine(signature: signature, metrics: metrics, replicas: replicas)
        } else {
            search
        }
        let tasks = try ExportTaskService(dataDirectory: configuration.dataDirectory, store: store, search: engine,
                                          workers: configuration.workers, logger: logger, metrics: metrics,
                                          paging: configuration.exportPaging, limits: configuration.taskLimits,
                                          storage: configuration.storage)
        // Nodes sharing a database start together and are given their clients by the
        // operator (`patents clients --database …`): no demo client there.
        let demo = configuration.storage?.claims == nil
            ? try makeDemoClientIfNone(tasks.accounts, balance: configuration.demoBalance) : nil
        var services = ServerServices(tasks: tasks, search: search, store: store, limits: configuration.limits, registry: registry)
        services.cluster = configuration.cluster
        services.engine = engine
        services.shards = configuration.shardsDirectory.map(ShardSearchers.init(directory:))
        let links = DownloadLinks(publicURL: configuration.publicURL, host: configuration.host, port: configuration.port)
        if DownloadLinks.needsPublicURL(host: configuration.host, publicURL: configuration.publicURL) {
            logger.warning("bound to every interface without --public-url: download links name \(links.base), which other machines cannot reach; set --public-url to the address clients use")
        }
        var app = application(services, links: links, host: configuration.host, port: configuration.port,
                              connections: configuration.connections, logger: logger) { port in
            links.bound(host: configuration.host, port: port)
            logger.info("serving", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
            onRunning(port, demo)
        }
        // One service group (Hummingbird's): at SIGTERM or SIGINT the server stops taking
        // requests first, then the others stop in reverse order.
        app.addServices([ExportWriters(tasks), TaskSweeper(tasks)] + configuration.services)
        try await app.runService()
    }
}
