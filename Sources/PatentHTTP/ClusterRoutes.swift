import Foundation
import HTTPTypes
import Hummingbird
import PatentAccounts
import PatentIndex
import PatentQuery
import PatentSearch
import PatentTasks
import Synchronization

/// `POST /cluster/v1/shard`: a node answers a shard call of a sharded search (first phase:
/// its statistics; second: its hits scored with the whole index's statistics) from its own
/// index, in the compact binary form of `ShardAnswer.encoded` (refusals in the JSON
/// envelope). Only with a cluster secret configured, and only for calls signed with it
/// (`ClusterSignature`); anything else is 401. The search runs on `WorkPool.shards`.
///
/// A call naming a shard is answered from that shard's folder under `shards` (a node of a
/// sharded cluster serves the shards its `ShardKeeper` pulled there); one naming none,
/// from the node's own index.
struct ClusterRoutes {
    let search: SearchService
    let shards: ShardSearchers?
    let work: WorkPool
    let signature: ClusterSignature

    static let path = "/cluster/v1/shard"

    func register(on router: some RouterMethods<PatentRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in try await answer(request, context: context) }
    }

    func answer(_ request: Request, context: PatentRequestContext) async throws -> Response {
        var request = request
        let body = Array(buffer: try await request.boundedBody(context: context))
        guard signature.verify(method: "POST", path: Self.path, body: body,
                               time: request.headers[HTTPField.Name(ClusterSignature.timeHeader)!],
                               signature: request.headers[HTTPField.Name(ClusterSignature.signatureHeader)!]) else {
            throw ServiceError.authentication("the shard call is not signed with this cluster's secret")
        }
        let call: ShardCall
        do {
            call = try JSONDecoder().decode(ShardCall.self, from: Data(body))
        } catch {
            throw ServiceError.badRequest("the shard call cannot be read: \(error)")
        }
        let search = try call.shard.map { shard throws(ServiceError) in
            guard let shards else { throw ServiceError(code: 68300005, message: "this node serves no shards", httpStatus: 503) }
            return shards.service(shard)
        } ?? search
        let answer = try await work.run { () throws -> [UInt8] in
            let searcher: Searcher
            do {
                searcher = try search.searcher()
            } catch let error as ServiceError {
                // Not (or no longer) here: the root asks another replica.
                throw ServiceError(code: 68300005, message: error.message, httpStatus: 503)
            }
            if let generation = call.generation, call.statistics != nil, generation != searcher.snapshot.generation {
                throw ServiceError(code: 68300005, message: "this node holds generation \(searcher.snapshot.generation), not \(generation)",
                                   httpStatus: 409)
            }
            do {
                return try searcher.answer(call).encoded()
            } catch let error as QueryError {
                throw ServiceError.invalidParameter("query_text: \(error.message)")
            }
        }
        // The answer in binary (`ShardAnswer.encoded`); refusals in PatSnap's JSON envelope.
        return Response(status: .ok, headers: [.contentType: ShardAnswer.contentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer)))
    }
}

/// The searchers of the shards a node serves, one `SearchService` per shard folder
/// (`<directory>/<shard>`), each reopening its index when a newer generation is installed.
public final class ShardSearchers: Sendable {
    public let directory: String
    private let services = Mutex<[Int: SearchService]>([:])

    public init(directory: String) {
        self.directory = directory
    }

    /// The service of `shard`'s folder (which may hold no index: its searches then fail).
    public func service(_ shard: Int) -> SearchService {
        services.withLock { services in
            if let service = services[shard] { return service }
            let service = SearchService(indexDirectory: ShardPlacement.folder(directory, shard: shard))
            services[shard] = service
            return service
        }
    }
}
