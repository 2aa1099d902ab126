import Foundation
import PatentAccounts
import PatentHTTP
import PatentIndex
import PatentQuery
import PatentSearch
import PatentTestSupport
import Testing

/// A sharded search across `patents serve` nodes: 2 shards × 2 replicas, each node a
/// process of its own answering signed shard calls; the root (`ClusterSearch`) in the test.
@Suite("Sharded search across nodes")
struct ClusterSearchTests {
    static func copy(_ source: String, to target: String) throws {
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: source, toPath: target)
    }

    static func requests(_ query: String) -> [SearchRequest] {
        var requests: [SearchRequest] = []
        for variant in 0..<6 {
            var request = SearchRequest(query: query)
            request.rows = 100
            switch variant {
            case 1: request.offset = 2; request.rows = 4
            case 2: request.collapse = Collapse(kind: .extended)
            case 3: request.collapse = Collapse(kind: .docdb, by: .applicationDate, order: .oldest)
            case 4: request.sort = [SortKey(.publicationDate, descending: false)]; request.stemming = true
            case 5: request.rows = 0; request.collapse = Collapse(kind: .docdb)  // a count: one phase
            default: break
            }
            requests.append(request)
        }
        return requests
    }

    static let queries = ["TTL:(device OR method OR system)", "ABST:(water OR light)", "PBD:[20000101 TO 20251231]",
                          "AUTHORITY:(US OR EP OR CN)", "CLMS:(a $W2 b) OR TTL:apparatus*", "IPC:(A61K OR G06F OR H04L)",
                          "DESC:\"at least one\"", "TACD:(sensor AND signal)"]

    @Test("2 shards × 2 replicas answer as one index; a replica killed mid-run is passed over; unsigned calls are refused")
    func shardsAcrossNodes() async throws {
        let root = try temporaryDirectory("cluster-shards")
        let base = root + "/base"
        try runPatents(["import", "--data", base, fixtures])
        let single = Searcher(snapshot: try IndexSnapshot.open(directory: base + "/index"))
        let secret = (0..<48).map { _ in UInt8.random(in: 0...255) }
        let secretFile = root + "/cluster.secret"
        try Data(secret).write(to: URL(fileURLWithPath: secretFile))

        var nodes: [[RunningServer]] = []
        defer { for node in nodes.joined() where node.process.isRunning { node.stop(with: SIGKILL) } }
        for shard in 0..<2 {
            let built = root + "/shard-\(shard)"
            try Self.copy(base, to: built)
            try runPatents(["index", "--data", built, "--shards", "2", "--shard", String(shard), "--rebuild"])
            var replicas: [RunningServer] = []
            for replica in 0..<2 {
                let folder = built + "-replica-\(replica)"
                try Self.copy(built, to: folder)
                replicas.append(try RunningServer(data: folder, key: nil, arguments: ["--cluster-secret-file", secretFile]))
            }
            nodes.append(replicas)
        }
        let cluster = ClusterSearch(shards: nodes.map { $0.map(\.base) }, signature: try ClusterSignature(secret: secret))

        func compareAll() async throws -> (compared: Int, nonEmpty: Int) {
            var compared = 0, nonEmpty = 0
            for query in Self.queries {
                for request in Self.requests(query) {
                    let expected = try single.search(request)
                    let actual = try await cluster.search(request)
                    #expect(actual == expected, "\(query) collapse \(String(describing: request.collapse)) sort \(request.sort)")
                    compared += 1
                    if expected.total > 0 { nonEmpty += 1 }
                }
            }
            return (compared, nonEmpty)
        }
        let first = try await compareAll()
        #expect(first.nonEmpty * 2 >= first.compared, "too few requests match anything: \(first)")

        // One replica of each shard killed: every search still answers, the same.
        #expect(killLanded(nodes[0][0].process) && killLanded(nodes[1][1].process))
        _ = try await compareAll()

        // A query error is the query's, not the node's: refused, not retried into a failure.
        await #expect(throws: ClusterSearch.Refused.self) { try await cluster.search(SearchRequest(query: "TTL:(open")) }
        // A call signed with another secret is refused (401, 67200003).
        let stranger = ClusterSearch(shards: [[nodes[1][0].base]], signature: try ClusterSignature(secret: Array(repeating: 7, count: 32)))
        do {
            _ = try await stranger.search(SearchRequest(query: "TTL:device"))
            Issue.record("a call with another secret was answered")
        } catch let unavailable as ClusterSearch.ShardUnavailable {
            #expect(unavailable.failures.count == 1 && unavailable.failures[0].contains("401 67200003"), "\(unavailable)")
        }
        // Both replicas of a shard gone: the search fails, naming the shard.
        #expect(killLanded(nodes[1][0].process))
        do {
            _ = try await cluster.search(SearchRequest(query: "TTL:device"))
            Issue.record("a search without shard 1 answered")
        } catch let unavailable as ClusterSearch.ShardUnavailable {
            #expect(unavailable.shard == 1 && unavailable.failures.count == 2)
        }
    }
}

/// The API's engine on a sharded node (`ClusterEngine`): what a client is told when the
/// cluster cannot answer, and that a query error is found before any shard call.
@Suite struct ClusterEngineTests {
    /// `run` blocks its thread (a request pool's in the server): called off Swift's pool.
    static func run(_ engine: ClusterEngine, _ query: String) async -> Result<SearchResult, ServiceError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(ServiceError) in try engine.run(SearchRequest(query: query)).result })
            }
        }
    }

    @Test func refusalsNameTheQueryOrTheShardButNoNode() async throws {
        let engine = ClusterEngine(signature: try ClusterSignature(secret: Array(repeating: 1, count: 32))) {
            [["http://127.0.0.1:9"], []]  // a port nothing listens on; a shard no node serves
        }
        let parse = try #require(Result { try QueryParser.parse("TTL:(open") }.failure as? QueryError)
        #expect(await Self.run(engine, "TTL:(open").failure == .invalidParameter("query_text: \(parse.message)"))
        let unavailable = await Self.run(engine, "TTL:device").failure
        #expect(unavailable?.code == 68300005 && unavailable?.httpStatus == 200, "\(String(describing: unavailable))")
        #expect(unavailable?.message.hasPrefix("search failure: shard ") == true && unavailable?.message.contains("127.0.0.1") == false,
                "\(String(describing: unavailable))")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension ClusterEngineTests {
    @Test func hexIsTwoLowerCaseDigitsPerByte() {
        #expect([0x00, 0x0F, 0xA5, 0xFF, 0x10].hexString == "000fa5ff10")
        #expect([UInt8]().hexString == "")
        let bytes = (0...255).map { UInt8($0) }
        #expect([UInt8](hex: bytes.hexString) == bytes)
    }
}
