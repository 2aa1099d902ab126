import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PatentSearch

/// The root of a sharded search across nodes (many machines, part 2): the shards' nodes
/// are asked over HTTP (`ClusterRoutes`, signed with the cluster secret) in two phases —
/// every shard's statistics, then every shard's hits scored with their sum — and the hits
/// merged in the total order (`ShardedSearch.merge`). Each shard is held by one or more
/// replicas: a replica that cannot be reached, fails, or no longer holds the generation its
/// first phase answered from is passed over for the next, so a node dying mid-query costs a
/// retry, not the query. Shards are asked in parallel.
public struct ClusterSearch: Sendable {
    /// Per shard, its replicas' base URLs (`http://host:port`).
    public let shards: [[String]]
    let signature: ClusterSignature
    let client: HTTPClient
    /// What each shard call names as its shard (`ShardCall.shard`): nil — each node answers
    /// from its own index (a node per shard) — or every shard's number (nodes holding several).
    public var shardNames: [Int]?
    /// The longest one shard call may take.
    public var timeout: TimeAmount = .seconds(10)

    public init(shards: [[String]], signature: ClusterSignature, client: HTTPClient = ClusterSearch.sharedClient) {
        self.shards = shards
        self.signature = signature
        self.client = client
    }

    /// The client shard calls go through: a replica that refuses the connection fails at
    /// once (AsyncHTTPClient would otherwise retry connecting until the call's deadline,
    /// holding the query for the whole timeout on a dead node), and connecting gives up
    /// after 2 s. One for the process, never shut down.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// No replica of a shard answered.
    public struct ShardUnavailable: Error, CustomStringConvertible {
        public let shard: Int
        public let failures: [String]
        /// Some replica answered that it holds another generation than the one pinned.
        public var generationMoved = false
        public var description: String {
            failures.isEmpty ? "shard \(shard): no node serves it" : "shard \(shard): no replica answered (\(failures.joined(separator: "; ")))"
        }
    }

    /// A replica's refusal of the search itself (a query error): not retried elsewhere.
    public struct Refused: Error, CustomStringConvertible {
        public let code: Int
        public let message: String
        public var description: String { "\(code): \(message)" }
    }

    public func search(_ request: SearchRequest) async throws -> SearchResult {
        try await searchPinned(request).result
    }

    /// The search and the highest generation a shard answered from. Each shard's generation
    /// is pinned by its first phase; when no replica holds it any more by the second (a
    /// newer one was installed meanwhile), the search starts again, at most three times.
    public func searchPinned(_ request: SearchRequest) async throws -> (result: SearchResult, generation: Int) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await searchOnce(request)
            } catch let unavailable as ShardUnavailable where unavailable.generationMoved && attempt < 3 {
                continue
            }
        }
    }

    private func searchOnce(_ request: SearchRequest) async throws -> (result: SearchResult, generation: Int) {
        let first = try await everyShard { shard in try await call(shard, ShardCall(request, shard: shardNames?[shard])) }
        if request.rows <= 0 {
            // A count: every shard answered its total in the first phase.
            return (ShardedSearch.merge(first.compactMap(\.answer.result), for: request), first.map(\.answer.generation).max() ?? 0)
        }
        var statistics = CollectionStatistics()
        for answer in first { if let part = answer.answer.statistics { statistics.add(part) } }
        let added = statistics
        let second = try await everyShard { shard in
            try await call(shard, ShardCall(request, shard: shardNames?[shard], statistics: added,
                                            generation: first[shard].answer.generation))
        }
        return (ShardedSearch.merge(second.compactMap(\.answer.result), for: request),
                second.map(\.answer.generation).max() ?? 0)
    }

    /// Runs `body` for every shard at once; the answers in shard order.
    private func everyShard(_ body: @escaping @Sendable (Int) async throws -> (answer: ShardAnswer, replica: String))
        async throws -> [(answer: ShardAnswer, replica: String)] {
        try await withThrowingTaskGroup(of: (Int, (answer: ShardAnswer, replica: String)).self) { group in
            for shard in shards.indices { group.addTask { (shard, try await body(shard)) } }
            var answers = [(answer: ShardAnswer, replica: String)?](repeating: nil, count: shards.count)
            for try await (shard, answer) in group { answers[shard] = answer }
            return answers.compactMap { $0 }
        }
    }

    /// One shard's answer from the first replica that gives one.
    private func call(_ shard: Int, _ call: ShardCall) async throws -> (answer: ShardAnswer, replica: String) {
        let body = Array(try JSONEncoder().encode(call))
        var failures: [String] = []
        var moved = false
        for replica in shards[shard] {
            do {
                return (try await send(body, to: replica), replica)
            } catch let refused as Refused {
                throw refused
            } catch {
                if let retry = error as? Refused.Retry, retry.status == 409 { moved = true }
                failures.append("\(replica): \(error)")
            }
        }
        throw ShardUnavailable(shard: shard, failures: failures, generationMoved: moved)
    }

    private func send(_ body: [UInt8], to replica: String) async throws -> ShardAnswer {
        let time = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: replica + ClusterRoutes.path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: ClusterSignature.timeHeader, value: String(time))
        request.headers.add(name: ClusterSignature.signatureHeader,
                            value: signature.sign(method: "POST", path: ClusterRoutes.path, body: body, time: time))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: timeout)
        let bytes = Array(buffer: try await response.body.collect(upTo: 256 << 20))
        if response.status == .ok, response.headers.first(name: "Content-Type") == ShardAnswer.contentType {
            return try ShardAnswer(encoded: bytes)
        }
        let envelope = try JSONDecoder().decode(AnswerEnvelope.self, from: Data(bytes))
        let (code, message) = (envelope.error_code ?? 0, envelope.error_msg ?? "HTTP \(response.status.code)")
        // A query the shard refuses is refused everywhere; anything else may go better elsewhere.
        if response.status == .ok, code == 68300004 { throw Refused(code: code, message: message) }
        throw Refused.Retry(status: Int(response.status.code), description: "HTTP \(response.status.code) \(code): \(message)")
    }

    /// A refusal: PatSnap's envelope.
    private struct AnswerEnvelope: Decodable {
        let status: Bool
        let error_code: Int?
        let error_msg: String?
    }
}

extension ClusterSearch.Refused {
    /// A replica's failure another replica may not share.
    struct Retry: Error, CustomStringConvertible {
        let status: Int
        let description: String
    }
}
