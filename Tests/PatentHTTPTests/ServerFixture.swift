import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import PatentAccounts
import PatentImport
import PatentIndex
import PatentIngest
import PatentStore
import PatentPostgres
import PatentTasks
import PatentTestSupport
@testable import PatentHTTP

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// The fixture patents imported and indexed in a data folder: once for all HTTP tests
/// (`shared`, read-only), or a folder of a test's own when it changes records.
final class FixtureCorpus: Sendable {
    static let shared: FixtureCorpus = try! FixtureCorpus("http-fixtures")

    let data: String
    let store: PatentStore
    let search: SearchService
    /// The import's report (fixtures and `extra` inputs).
    let report: ImportReport

    init(_ name: String, importing extra: [String] = []) throws {
        data = try temporaryDirectory(name)
        store = try PatentStore(directory: data)
        report = try Importer(store: store).run(paths: [fixtures] + extra)
        let index = (data as NSString).appendingPathComponent("index")
        try IndexUpdater(store: store, directory: index).update()
        search = SearchService(indexDirectory: index)
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_790_000_000)

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(_ seconds: TimeInterval) {
        lock.lock()
        current += seconds
        lock.unlock()
    }
}

/// One server's worth of state over a store: a fresh task folder, its own clock, and a
/// client with a generous balance whose `sk-` key every request carries by default.
struct TestServer {
    let tasks: ExportTaskService
    let clock: TestClock
    let store: PatentStore
    let search: SearchService
    let services: ServerServices
    let client: ClientAccount
    let key: String
    /// Stops the writers when the test is done with the server (on a shared database their
    /// polling would otherwise hold connections for the rest of the run).
    private let lifetime: Lifetime

    private final class Lifetime: Sendable {
        let tasks: ExportTaskService
        init(_ tasks: ExportTaskService) { self.tasks = tasks }
        deinit { if !TestBackend.isSQLite { tasks.stop() } }
    }

    init(store: PatentStore = FixtureCorpus.shared.store, search: SearchService = FixtureCorpus.shared.search,
         start: Bool = true, limits: PlatformLimits = PlatformLimits(), workers: Int = 2, dataDirectory: String? = nil,
         taskLimits: TaskLimits = TestServer.taskLimits) throws {
        let clock = TestClock()
        self.clock = clock
        self.store = store
        var logger = Logger(label: "patents.test")
        logger.logLevel = .warning
        let (registry, metrics) = ServerServices.prometheus()
        // The same index, searched through a service that reports to this server's metrics.
        let search = SearchService(indexDirectory: search.indexDirectory, metrics: metrics)
        self.search = search
        let data = try dataDirectory ?? temporaryDirectory("http-tasks")
        tasks = try ExportTaskService(dataDirectory: data, store: store, search: search,
                                      workers: workers, logger: logger, metrics: metrics, now: { clock.now },
                                      limits: taskLimits, secretHashing: Self.hashing,
                                      storage: try TestBackend.current.storage(data: data, hashing: Self.hashing))
        lifetime = Lifetime(tasks)
        services = ServerServices(tasks: tasks, search: search, store: store, limits: limits, registry: registry,
                                  secrets: Self.secrets)
        var new = AccountStore.NewClient(name: "tests")
        new.balance = 1_000_000_00
        new.ratePerSecond = 10_000
        new.ratePerMinute = 100_000
        client = try tasks.accounts.createClient(new, at: clock.now).client
        key = try tasks.accounts.createKey(for: client.id, at: clock.now)
        if start { try tasks.start() }
    }

    /// Tests create many tasks per client and fill small disks on purpose: no cap, no
    /// floor, unless a test sets its own.
    static let taskLimits: TaskLimits = {
        var limits = TaskLimits()
        limits.maximumPendingPerClient = .max
        limits.minimumFreeBytes = 0
        return limits
    }()

    /// Fast secret hashing for test servers; `PlatformTests` checks the production rounds.
    static let hashing = Credentials.Hashing(rounds: 1_000)

    /// Key derivation for every test server: the production pool admits 8 waiting per
    /// thread, which suites running side by side would exceed together.
    static let secrets = WorkPool(threads: 2, maximumPending: 1_000)

    /// A further client of this server with its own key.
    func makeClient(_ configure: (inout AccountStore.NewClient) -> Void = { _ in }) throws -> (client: ClientAccount, secret: String, key: String) {
        var new = AccountStore.NewClient(name: "other")
        new.balance = 1_000_00
        configure(&new)
        let (client, secret) = try tasks.accounts.createClient(new, at: clock.now)
        return (client, secret, try tasks.accounts.createKey(for: client.id, at: clock.now))
    }

    func run(links: DownloadLinks = DownloadLinks(publicURL: "http://patents.test"),
             _ test: @escaping @Sendable (TestAPI) async throws -> Void) async throws {
        let app = Application(router: PatentServer.router(services, links: links))
        let key = key
        try await app.test(.router) { client in try await test(TestAPI(client: client, key: key)) }
    }
}

/// Where test servers keep tasks and accounts: the data folder's `tasks.sqlite`, or — with
/// `PATENTS_TEST_BACKEND=postgresql` (`make test` runs the HTTP suites once so) — a database
/// of their own on a private PostgreSQL, with writers claiming tasks as on many nodes.
enum TestBackend: String {
    case sqlite, postgresql

    static let current = TestBackend(rawValue: ProcessInfo.processInfo.environment["PATENTS_TEST_BACKEND"] ?? "") ?? .sqlite

    /// True on the data folder's SQLite (tests of SQLite's own files and of the binary's data folder).
    static var isSQLite: Bool { current == .sqlite }

    func storage(data: String, hashing: Credentials.Hashing) throws -> ServiceStorage? {
        guard self == .postgresql else { return nil }
        var logger = Logger(label: "patents.test.postgres")
        logger.logLevel = .critical
        // Hundreds of test servers share one PostgreSQL: small pools that close idle connections soon.
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("http"), logger: logger, connections: 2,
                                          idleTimeout: .seconds(1))
        var storage = try database.serviceStorage(exportsDirectory: (data as NSString).appendingPathComponent("exports"),
                                                  node: "test", hashing: hashing)
        // A test server is the only node of its database: its own creates wake its writers,
        // and idle writers leave the connections alone so the pools close them.
        storage.claims?.pollInterval = 30
        return storage
    }
}

/// The test client with credentials: `Authorization: Bearer <key>` unless the request
/// sets its own Authorization (or `key` is nil).
struct TestAPI: Sendable {
    let client: any TestClientProtocol
    let key: String?

    func with(key: String?) -> TestAPI { TestAPI(client: client, key: key) }

    @discardableResult
    func execute<Return>(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
                         testCallback: @escaping (TestResponse) async throws -> Return = { $0 }) async throws -> Return {
        var headers = headers
        if let key, headers[.authorization] == nil { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body, testCallback: testCallback)
    }
}

/// A parsed envelope with the answer's status and headers.
struct Answer {
    let status: Int
    let json: [String: Any]
    let headers: HTTPFields

    init(_ response: TestResponse) {
        status = Int(response.status.code)
        json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
        headers = response.headers
    }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    var ok: Bool { json["status"] as? Bool == true }
    var code: Int { json["error_code"] as? Int ?? -1 }
    var message: String { json["error_msg"] as? String ?? "" }
    var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
}

extension TestAPI {
    func post(_ path: String, _ body: String, contentType: String = "application/json", headers: HTTPFields = [:]) async throws -> Answer {
        var headers = headers
        headers[.contentType] = contentType
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { Answer($0) }
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Answer {
        try await execute(uri: path, method: .get, headers: headers) { Answer($0) }
    }

    /// Creates an export and returns its data (task_id, count, total).
    func export(_ body: String) async throws -> Answer {
        try await post("/patent-search/export/V2", body)
    }
}

/// `Authorization: Basic` for a client id and secret.
func basic(_ id: String, _ secret: String) -> HTTPFields {
    [.authorization: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()]
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
