import Foundation
import HTTPTypes
import Hummingbird
import PatentAccounts
import PatentQuery
import PatentSearch
import PatentTasks

/// `POST /cluster/v1/shard`: a node answers a shard call of a sharded search (first phase:
/// its statistics; second: its hits scored with the whole index's statistics) from its own
/// index. Only with a cluster secret configured, and only for calls signed with it
/// (`ClusterSignature`); anything else is 401. The search runs on the request pool.
struct ClusterRoutes {
    let search: SearchService
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
        let search = search
        let answer = try await work.run { () throws -> ShardAnswer in
            let searcher = try search.searcher()
            if let generation = call.generation, call.statistics != nil, generation != searcher.snapshot.generation {
                throw ServiceError(code: 68300005, message: "this node holds generation \(searcher.snapshot.generation), not \(generation)",
                                   httpStatus: 409)
            }
            do {
                return try searcher.answer(call)
            } catch let error as QueryError {
                throw ServiceError.invalidParameter(error.description)
            }
        }
        return Envelope.success(answer)
    }
}
