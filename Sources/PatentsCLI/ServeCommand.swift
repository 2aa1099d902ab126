import ArgumentParser
import Foundation
import Logging
import PatentAccounts
import PatentHTTP
import PatentIndex
import PatentObjectStore
import PatentPostgres
import PatentStore
import PatentTasks

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the PatSnap-compatible API (export tasks, task status, downloads, P001/P002)."
    )

    @OptionGroup var options: ServiceOptions

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Scheme and host of download links, e.g. https://patents.example.org (default: the address served on).")
    var publicURL: String?
    @Option(help: "Threads writing export files.") var workers = 2
    @Option(help: "Business calls per second across all clients (67200001 beyond).") var platformRate = 500
    @Option(help: "Default calls per second of a client without its own rate.") var clientRatePerSecond = 20
    @Option(help: "Default calls per minute of a client without its own rate.") var clientRatePerMinute = 600
    @Option(help: "Connections held at once; more are closed on arrival.") var maxConnections = 1_024
    @Option(help: "Export tasks a client may have waiting or being written (67200007 beyond).") var maxPendingPerClient = 10
    @Option(help: "Free disk space (MB) the data folder must keep; below it new exports are refused.") var minFreeMb = 512
    @Option(help: "Seconds a request's head may take to arrive (the body gets 60, keep-alive 30).") var headerTimeout = 10
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "This node's name among those sharing --database (default: host name, port and process id).") var node: String?
    @Option(help: "With --database: seconds a writer's claim on a task holds without progress; then another node takes the task over.")
    var lease = 30
    @Option(help: "Nodes serving the same clients: each allows its share (1/N, rounded up) of every rate limit.") var nodes = 1
    @Option(help: "A file holding the cluster's shared secret (32 bytes or more): the node then answers signed shard calls of sharded searches.")
    var clusterSecretFile: String?
    @Option(help: "A node of a sharded cluster: the index is split into this many shards (built and published with `patents index --shards` and `patents segments publish`); the node serves its share and searches all of them. Needs --database, --cluster-secret-file and --segments.")
    var shards: Int?
    @Option(help: "With --shards: how many nodes hold each shard.") var replicas = 2
    @Option(help: "With --shards: where the shards' generations are stored (s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION] or a shared folder).")
    var segments: String?
    @Option(help: "With --shards: the base URL other nodes reach this one at (default: http://HOST:PORT as bound; the machine's name for 0.0.0.0).")
    var advertise: String?

    /// Numbers from the command line are checked before any is used (none may trap).
    func validate() throws {
        guard (1...10_000).contains(nodes) else { throw ValidationError("--nodes must be 1…10000, not \(nodes)") }
        guard (2...86_400).contains(lease) else { throw ValidationError("--lease must be 2…86400 seconds, not \(lease)") }
        guard options.database == nil || options.exports != nil else {
            throw ValidationError("--database needs --exports: a folder every node reaches at the same path, so that a file written on one node downloads from any")
        }
        if let shards {
            guard (1...65_536).contains(shards), (1...64).contains(replicas) else {
                throw ValidationError("--shards must be 1…65536 and --replicas 1…64, not \(shards) and \(replicas)")
            }
            guard options.database != nil, clusterSecretFile != nil, segments != nil else {
                throw ValidationError("--shards needs --database (the members and generations), --cluster-secret-file (signed shard calls) and --segments (where the shards are stored)")
            }
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
        guard maxConnections > 0, (1...3_600).contains(headerTimeout) else {
            throw ValidationError("--max-connections must be 1 or more and --header-timeout 1…3600 seconds")
        }
        guard maxPendingPerClient > 0, (0...1 << 30).contains(minFreeMb) else {
            throw ValidationError("--max-pending-per-client must be 1 or more and --min-free-mb 0 or more")
        }
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try rebuildAnOldIndex()
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = options.data.data
        // One pool on the shared database serves the export service and the feed's follower;
        // its schema is migrated once, by `serviceStorage`.
        let shared = try options.database.map(openSharedDatabase)
        if let shared {
            configuration.storage = try options.serviceStorage(on: shared, node: node ?? Self.defaultNode(port: port),
                                                               lease: TimeInterval(lease))
            // A node of a sharded cluster keeps the patents (export files are written from its
            // store) but not an index of them all: its shards come from object storage.
            configuration.services.append(try feedFollower(PatentFeed(database: shared), index: shards == nil))
        }
        configuration.publicURL = publicURL
        configuration.workers = workers
        configuration.exportPaging = TestHooks.exportPaging
        configuration.limits.platformPerSecond = platformRate
        configuration.limits.clientPerSecond = clientRatePerSecond
        configuration.limits.clientPerMinute = clientRatePerMinute
        configuration.limits.nodes = nodes
        if let clusterSecretFile {
            guard let secret = FileManager.default.contents(atPath: clusterSecretFile) else {
                throw ValidationError("--cluster-secret-file: cannot read \(clusterSecretFile)")
            }
            do {
                configuration.cluster = try ClusterSignature(secret: Array(secret))
            } catch {
                throw ValidationError("--cluster-secret-file: \(error)")
            }
        }
        var keeper: ShardKeeper?
        if let shards, let shared, let segments {
            keeper = try shardKeeper(shards: shards, shared: shared, segments: segments, configuration: &configuration)
        }
        configuration.connections.maximumConnections = maxConnections
        configuration.connections.headerTimeout = .seconds(Int64(headerTimeout))
        configuration.taskLimits.maximumPendingPerClient = maxPendingPerClient
        configuration.taskLimits.minimumFreeBytes = minFreeMb << 20
        let advertised = host == "0.0.0.0" || host == "::" ? ProcessInfo.processInfo.hostName : host
        try await PatentServer.run(configuration, logger: Logger(label: "patents")) { [keeper] port, demo in
            keeper?.advertise("http://\(advertised):\(port)")
            var text = "listening on http://\(host):\(port)\n"
            if let demo { text += Self.banner(demo, base: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)") }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// With `--database`, the data folder follows the patents' feed while serving: what any
    /// node imports is searched here too (`FeedFollower`), within a second of its publication.
    private func feedFollower(_ feed: PatentFeed, index: Bool) throws -> FeedFollower {
        let store = try options.data.openStore()
        let data = options.data.data
        let logger = Logger(label: "patents.feed")
        let follower = FeedFollower(feed: feed, store: store,
                                    dataDirectory: data, logger: logger) {
            if index { try updateIndex(store: store, data: data, memoryMB: 512, say: { logger.info("\($0)") }) }
        }
        return follower
    }

    /// A node of a sharded cluster: its `ShardKeeper` (membership, placement, pulls) runs
    /// beside the server, shard calls name their shard, and the API searches all shards.
    private func shardKeeper(shards: Int, shared: SharedDatabase, segments: String,
                             configuration: inout ServerConfiguration) throws -> ShardKeeper {
        let store: any ObjectStore
        do {
            store = try ObjectStoreLocation.open(segments)
        } catch {
            throw ValidationError("--segments: \(error)")
        }
        let directory = (options.data.data as NSString).appendingPathComponent("shards")
        let keeper = ShardKeeper(node: node ?? Self.defaultNode(port: port), address: advertise,
                                 directory: directory, placement: ShardPlacement(shards: shards, replicas: replicas),
                                 membership: ClusterMembership(database: shared),
                                 publication: IndexPublication(database: shared, store: store),
                                 logger: Logger(label: "patents.shards"))
        configuration.shardsDirectory = directory
        configuration.clusterReplicas = { keeper.replicas() }
        // Every node also builds shards: jobs for what the feed published, one node each.
        let builder = ShardBuilder(jobs: IndexJobs(database: shared), publication: IndexPublication(database: shared, store: store),
                                   store: try options.data.openStore(),
                                   directory: (options.data.data as NSString).appendingPathComponent("builds"), shards: shards,
                                   worker: node ?? Self.defaultNode(port: port), logger: Logger(label: "patents.shards"))
        configuration.services += [keeper, builder]
        return keeper
    }

    /// `<host>:<port>:<pid>`: unique among the nodes of one database.
    static func defaultNode(port: Int) -> String {
        "\(ProcessInfo.processInfo.hostName):\(port):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// An index written by an earlier version is rebuilt from the store before serving
    /// (it is never read), with its progress on stderr.
    private func rebuildAnOldIndex() throws {
        guard IndexWriter.isOldFormat(indexDirectory(options.data.data)) else { return }
        let lock = try DataFolderLock(directory: options.data.data, command: "serve", wait: true) { _ in }
        defer { withExtendedLifetime(lock) {} }
        let store = try options.data.openStore()
        try updateIndex(store: store, data: options.data.data, memoryMB: 512) { indexed in
            FileHandle.standardError.write(Data("rebuilding the index: \(indexed) patents so far\n".utf8))
        }
    }

    /// What a first run prints: the demo client's credentials, shown once, and a curl
    /// session from token to downloaded file.
    static func banner(_ demo: DemoClient, base: String) -> String {
        """

        First run: a demo client was created (balance \(Cents.format(demo.balance))). Its secret and key are shown only now.
          client_id:     \(demo.clientID)
          client_secret: \(demo.secret)
          api key:       \(demo.apiKey)

        Try it:
          TOKEN=$(curl -s -u '\(demo.clientID):\(demo.secret)' -d grant_type=client_credentials \(base)/oauth/token \\
                  | sed -E 's/.*"token":"([^"]+)".*/\\1/')
          TASK=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
                 '\(base)/patent-search/export/V2?apikey=\(demo.clientID)' \\
                 -d '{"query_text":"TTL:battery OR TTL:vehicle","fields":"PN,TTL,APD,AN","export_type":"csv","rows":100}' \\
                 | sed -E 's/.*"task_id":"([^"]+)".*/\\1/')
          curl -s -H "Authorization: Bearer $TOKEN" '\(base)/patent-search/task?task_id='$TASK'&apikey=\(demo.clientID)'
          # then download the "url" of the answer once export_status is SUCCESS:  curl -o export.csv '<url>'
        Manage clients with `patents clients`; prices per field level with `patents fields`.

        """
    }
}
