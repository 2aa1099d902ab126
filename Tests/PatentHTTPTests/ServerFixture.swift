import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PatentImport
import PatentIndex
import PatentStore
import PatentTasks
import PatentTestSupport
@testable import PatentHTTP

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// The fixture patents imported and indexed once for all HTTP tests (read-only).
final class FixtureCorpus: Sendable {
    static let shared: FixtureCorpus = try! FixtureCorpus()

    let data: String
    let store: PatentStore
    let search: SearchService

    private init() throws {
        data = try temporaryDirectory("http-fixtures")
        store = try PatentStore(directory: data)
        _ = try Importer(store: store).run(paths: [fixtures])
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

/// One server's worth of state over a store: a fresh task folder, its own clock.
struct TestServer {
    let tasks: ExportTaskService
    let clock: TestClock
    let store: PatentStore
    let search: SearchService

    init(store: PatentStore = FixtureCorpus.shared.store, search: SearchService = FixtureCorpus.shared.search,
         start: Bool = true) throws {
        let clock = TestClock()
        self.clock = clock
        self.store = store
        self.search = search
        var logger = Logger(label: "patents.test")
        logger.logLevel = .warning
        tasks = try ExportTaskService(dataDirectory: try temporaryDirectory("http-tasks"), store: store, search: search,
                                      workers: 2, logger: logger, now: { clock.now })
        if start { try tasks.start() }
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = PatentServer.router(tasks: tasks, search: search, store: store, publicURL: "http://patents.test")
        let app = Application(router: router)
        try await app.test(.router) { client in try await test(client) }
    }
}

/// A parsed envelope.
struct Answer {
    let status: Int
    let json: [String: Any]

    var ok: Bool { json["status"] as? Bool == true }
    var code: Int { json["error_code"] as? Int ?? -1 }
    var message: String { json["error_msg"] as? String ?? "" }
    var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }
}

extension TestClientProtocol {
    func post(_ path: String, _ body: String, contentType: String = "application/json") async throws -> Answer {
        try await execute(uri: path, method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body)) { response in
            Answer(status: Int(response.status.code),
                   json: (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
        }
    }

    func get(_ path: String) async throws -> Answer {
        try await execute(uri: path, method: .get) { response in
            Answer(status: Int(response.status.code),
                   json: (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
        }
    }

    /// Creates an export and returns its data (task_id, count, total).
    func export(_ body: String) async throws -> Answer {
        try await post("/patent-search/export/V2", body)
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
