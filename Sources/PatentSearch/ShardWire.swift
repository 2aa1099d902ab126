import PatentIndex
import PatentQuery

/// A sharded search's call to one shard as it travels between nodes (JSON): the request,
/// and in the second phase the whole index's statistics and the index generation the first
/// phase saw on this shard.
public struct ShardCall: Sendable, Codable, Equatable {
    public var query: String
    public var stemming: Bool
    public var applicationDateFrom: Int?
    public var applicationDateTo: Int?
    public var publicationDateFrom: Int?
    public var publicationDateTo: Int?
    public var offset: Int
    public var rows: Int
    public var collapse: Collapse?
    public var sort: [SortKey]
    /// The longest query accepted (P002 allows more than the others); nil: the default.
    public var maximumQueryLength: Int?
    /// Which shard of a node answers (a node may serve several); nil: the node's own index.
    public var shard: Int?
    /// Nil: the first phase (this shard's statistics — or, for a count, `rows` 0, its total
    /// at once); else the second (its hits).
    public var statistics: CollectionStatistics?
    /// The second phase is answered only from this generation (409 otherwise: the root then
    /// asks a replica that holds it).
    public var generation: Int?

    public init(_ request: SearchRequest, shard: Int? = nil, statistics: CollectionStatistics? = nil, generation: Int? = nil) {
        query = request.query
        stemming = request.stemming
        applicationDateFrom = request.applicationDateFrom
        applicationDateTo = request.applicationDateTo
        publicationDateFrom = request.publicationDateFrom
        publicationDateTo = request.publicationDateTo
        offset = request.offset
        rows = request.rows
        collapse = request.collapse
        sort = request.sort
        maximumQueryLength = request.maximumQueryLength == QueryParser.maximumLength ? nil : request.maximumQueryLength
        self.shard = shard
        self.statistics = statistics
        self.generation = generation
    }

    public var request: SearchRequest {
        var request = SearchRequest(query: query)
        request.stemming = stemming
        request.applicationDateFrom = applicationDateFrom
        request.applicationDateTo = applicationDateTo
        request.publicationDateFrom = publicationDateFrom
        request.publicationDateTo = publicationDateTo
        request.offset = offset
        request.rows = rows
        request.collapse = collapse
        request.sort = sort
        if let maximumQueryLength { request.maximumQueryLength = maximumQueryLength }
        return request
    }
}

/// A shard's answer: its statistics (first phase) or its hits and total (second), and the
/// index generation it answered from.
public struct ShardAnswer: Sendable, Codable, Equatable {
    public var generation: Int
    public var statistics: CollectionStatistics?
    public var result: SearchResult?

    public init(generation: Int, statistics: CollectionStatistics? = nil, result: SearchResult? = nil) {
        self.generation = generation
        self.statistics = statistics
        self.result = result
    }
}

extension Searcher {
    /// Answers a shard call from this searcher's snapshot.
    public func answer(_ call: ShardCall) throws(QueryError) -> ShardAnswer {
        let generation = snapshot.generation
        guard let statistics = call.statistics else {
            // A count needs no scores: answered at once from this shard alone (one phase).
            if call.rows <= 0 { return ShardAnswer(generation: generation, result: try search(call.request)) }
            return ShardAnswer(generation: generation, statistics: try self.statistics(call.request))
        }
        return ShardAnswer(generation: generation, result: try search(call.request, statistics: statistics))
    }
}

extension ShardedSearch {
    /// The root's merge: the shards' second-phase results in the request's total order,
    /// the window cut, the totals added.
    ///
    /// A patent is in one shard; yet for the seconds between two shards installing
    /// generations built from different feed revisions, one whose family moved between
    /// them (a merge of families) can be in both. It is then kept once, where it ranks
    /// first, and counted once among the hits the shards returned — so an export never
    /// holds, nor charges, a patent twice.
    public static func merge(_ results: [SearchResult], for request: SearchRequest) -> SearchResult {
        let order = ResultOrder(keys: request.sort)
        let sorted = results.flatMap(\.hits).sorted { a, b in
            let compared = order.compare(a.candidate, b.candidate)
            return compared != 0 ? compared < 0 : a.pn.utf8.lexicographicallyPrecedes(b.pn.utf8)
        }
        var seen = Set<String>()
        seen.reserveCapacity(sorted.count)
        let hits = sorted.filter { seen.insert($0.pn).inserted }
        let total = results.reduce(0) { $0 + $1.total } - (sorted.count - hits.count)
        return SearchResult(total: max(0, total), hits: Array(hits.dropFirst(max(0, request.offset)).prefix(max(0, request.rows))))
    }
}
