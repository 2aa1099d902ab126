import Foundation
import PatentIndex
import PatentQuery
import Synchronization

/// What one shard tells the root of a sharded search before anything is scored
/// (Elasticsearch's DFS phase): its live documents, each text field's norm sum, and per
/// leaf of the query and field how many documents hold the term. Added over every shard,
/// they are the figures one index of all the documents would score with.
public struct CollectionStatistics: Sendable, Equatable, Codable {
    public var documents = 0
    /// Per text field (`IndexField` raw value): the sum of its lengths.
    public var normSums: [UInt8: Int] = [:]
    /// Per query leaf, per field raw value: documents holding the term.
    public var frequencies: [Int: [UInt8: Int]] = [:]

    public init() {}

    public mutating func add(_ other: CollectionStatistics) {
        documents += other.documents
        normSums.merge(other.normSums, uniquingKeysWith: +)
        frequencies.merge(other.frequencies) { $0.merging($1, uniquingKeysWith: +) }
    }

    var fieldFrequencies: [Int: [IndexField: Int]] {
        frequencies.mapValues { byField in
            Dictionary(uniqueKeysWithValues: byField.compactMap { raw, count in IndexField(rawValue: raw).map { ($0, count) } })
        }
    }
}

extension Searcher {
    /// A sharded search's first phase on this shard: its figures for the request's query.
    public func statistics(_ request: SearchRequest) throws(QueryError) -> CollectionStatistics {
        let plans = try plan(request)
        var statistics = CollectionStatistics()
        statistics.documents = snapshot.liveDocuments
        statistics.normSums = Dictionary(uniqueKeysWithValues: normSums.map { ($0.rawValue, $1) })
        statistics.frequencies = documentFrequencies(plans).mapValues { byField in
            Dictionary(uniqueKeysWithValues: byField.map { ($0.rawValue, $1) })
        }
        return statistics
    }

    /// A sharded search's second phase on this shard: its first `offset + rows` hits in the
    /// request's order, scored with the whole index's `statistics`, and its exact total (of
    /// groups, with collapse: a group never spans shards). The root merges and cuts the window.
    public func search(_ request: SearchRequest, statistics: CollectionStatistics) throws(QueryError) -> SearchResult {
        var local = request
        let (sum, overflow) = max(0, request.offset).addingReportingOverflow(max(0, request.rows))
        local.offset = 0
        local.rows = overflow ? Int.max : sum
        let plans = try plan(local)
        return search(request: local, plans: plans, scoring: shardScoring(statistics),
                      frequencies: statistics.fieldFrequencies).result
    }

    /// The collection figures of a sharded index, kept for the next request: they change
    /// only when a generation does, whatever the query.
    private func shardScoring(_ statistics: CollectionStatistics) -> Scoring {
        let key = ShardScoringKey(documents: statistics.documents, normSums: statistics.normSums)
        if let cached = shardScoringCache.withLock({ $0 }), cached.key == key { return cached.scoring }
        let sums = Dictionary(uniqueKeysWithValues: statistics.normSums.compactMap { raw, sum in IndexField(rawValue: raw).map { ($0, sum) } })
        let scoring = Scoring(documents: statistics.documents, normSums: sums, k1: k1, b: b)
        shardScoringCache.withLock { $0 = (key, scoring) }
        return scoring
    }
}

struct ShardScoringKey: Equatable {
    let documents: Int
    let normSums: [UInt8: Int]
}

/// A search over the shards of one index, each a `Searcher` (many machines, part 2: the
/// root's merge; the shards may be local or, through a transport, on other nodes). First
/// every shard's statistics are added, then every shard returns its first `offset + rows`
/// hits scored with them and its exact total; the hits are merged in the total order of
/// QUERY.md §5 (the request's sort keys, score, publication date, PN), and the window cut.
/// Totals, hits, order and scores equal those of one index holding every shard's patents.
public struct ShardedSearch: Sendable {
    public let shards: [Searcher]

    public init(shards: [Searcher]) {
        self.shards = shards
    }

    /// A count (`rows` 0) needs no scores: every shard counts alone, in one phase.
    public func search(_ request: SearchRequest) throws(QueryError) -> SearchResult {
        let statistics: CollectionStatistics?
        if request.rows > 0 {
            var added = CollectionStatistics()
            for shard in shards { added.add(try shard.statistics(request)) }
            statistics = added
        } else {
            statistics = nil
        }
        let answers = Mutex<[Result<SearchResult, QueryError>?]>(Array(repeating: nil, count: shards.count))
        let shards = self.shards
        DispatchQueue.concurrentPerform(iterations: shards.count) { i in
            let answer = Result { () throws(QueryError) -> SearchResult in
                if let statistics { try shards[i].search(request, statistics: statistics) } else { try shards[i].search(request) }
            }
            answers.withLock { $0[i] = answer }
        }
        var results: [SearchResult] = []
        for answer in answers.withLock({ $0 }) {
            if let answer { results.append(try answer.get()) }
        }
        return Self.merge(results, for: request)
    }
}

extension SearchHit {
    /// What the order compares, as a searcher ranks its candidates.
    var candidate: Candidate {
        Candidate(score: score, date: Int32(clamping: publicationDate), segment: 0, doc: 0,
                  applicationDate: Int32(clamping: applicationDate), grantDate: Int32(clamping: grantDate))
    }
}
