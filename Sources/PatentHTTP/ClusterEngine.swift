import Foundation
import Logging
import PatentAccounts
import PatentQuery
import PatentSearch
import PatentTasks

/// The API's searches on a node of a sharded cluster (`serve --shards`): P001, P002 and an
/// export task's search go to the shards' nodes through `ClusterSearch` (any node is the
/// root), with the replicas the node's `ShardKeeper` last saw serving each shard.
///
/// The query is parsed here first, so that a query error is the client's 68300004 with
/// the same message one node gives, without a shard call; a shard no node serves, or whose
/// replicas all fail, is the search failure 68300005 naming it. Routes call `run` on a
/// request pool's thread, which waits there for the shard calls (they run on the HTTP
/// client's event loops and Swift's pool; the nodes answer them on `WorkPool.shards`, never
/// on the request pool, so a node that is its own replica never waits on itself).
public struct ClusterEngine: SearchEngine {
    let replicas: @Sendable () -> [[String]]
    let signature: ClusterSignature
    let metrics: ServiceMetrics
    static let logger = Logger(label: "patents.cluster")

    public init(signature: ClusterSignature, metrics: ServiceMetrics = ServiceMetrics(), replicas: @escaping @Sendable () -> [[String]]) {
        self.signature = signature
        self.metrics = metrics
        self.replicas = replicas
    }

    public func run(_ request: SearchRequest) throws(ServiceError) -> (result: SearchResult, generation: Int) {
        try metrics.timeSearch { () throws(ServiceError) in try searchAcrossShards(request) }
    }

    private func searchAcrossShards(_ request: SearchRequest) throws(ServiceError) -> (result: SearchResult, generation: Int) {
        do {
            _ = try QueryParser.parse(request.query, maximumLength: request.maximumQueryLength)
        } catch {
            throw ServiceError.invalidParameter("query_text: \(error.message)")
        }
        var cluster = ClusterSearch(shards: replicas(), signature: signature)
        cluster.shardNames = Array(cluster.shards.indices)
        let search = cluster
        let answer = Result { try waitForTask { try await search.searchPinned(request) } }
        switch answer {
        case .success(let answer):
            return answer
        case .failure(let refused as ClusterSearch.Refused):
            throw ServiceError(code: refused.code, message: refused.message)
        case .failure(let error):
            // The nodes' addresses and errors are the operator's, not the client's.
            Self.logger.error("a sharded search failed", metadata: ["error": "\(error)"])
            let shard = (error as? ClusterSearch.ShardUnavailable).map { "shard \($0.shard) of " } ?? ""
            throw ServiceError.searchFailure("search failure: \(shard)the index is unavailable now, please try again later")
        }
    }

}
