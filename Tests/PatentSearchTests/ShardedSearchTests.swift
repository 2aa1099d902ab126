import Foundation
import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentQuery
import PatentTestSupport
import Testing
@testable import PatentSearch

/// A sharded index searched through `ShardedSearch` against one index of the same patents:
/// totals, hits, order and scores equal bit for bit (many machines, part 2).
@Suite("Sharded search")
struct ShardedSearchTests {
    /// The fixture store indexed whole, and as `count` shards routed by extended family.
    static func indexes(shards count: Int) throws -> (single: Searcher, shards: [Searcher]) {
        let store = FixtureIndex.shared.store
        let single = try temporaryDirectory("single-index")
        try IndexUpdater(store: store, directory: single).update()
        var shards: [Searcher] = []
        for index in 0..<count {
            let directory = try temporaryDirectory("shard-\(index)")
            var updater = IndexUpdater(store: store, directory: directory)
            updater.shard = try ShardRouting(count: count, index: index)
            try updater.update()
            shards.append(Searcher(snapshot: try IndexSnapshot.open(directory: directory)))
        }
        return (Searcher(snapshot: try IndexSnapshot.open(directory: single)), shards)
    }

    /// Requests of one query: relevance order in several windows, each collapse level, and
    /// sort keys.
    static func variants(_ query: String, stemming: Bool) -> [SearchRequest] {
        var requests: [SearchRequest] = []
        func add(_ change: (inout SearchRequest) -> Void) {
            var request = SearchRequest(query: query)
            request.stemming = stemming
            request.rows = 1_000
            change(&request)
            requests.append(request)
        }
        add { _ in }
        add { $0.offset = 3; $0.rows = 5 }
        add { $0.rows = 0 }
        for kind in Collapse.Kind.allCases { add { $0.collapse = Collapse(kind: kind) } }
        add { $0.collapse = Collapse(kind: .inpadoc, by: .publicationDate, order: .oldest) }
        add { $0.sort = [SortKey(.publicationDate, descending: false)] }
        add { $0.sort = [SortKey(.applicationDate, descending: true), SortKey(.score, descending: false)]; $0.rows = 7 }
        return requests
    }

    @Test("generated queries through two and three shards equal one index: totals, hits, order, scores", arguments: [2, 3])
    func shardsEqualOneIndex(_ count: Int) throws {
        let (single, shards) = try Self.indexes(shards: count)
        #expect(shards.map(\.snapshot.liveDocuments).reduce(0, +) == single.snapshot.liveDocuments)
        #expect(shards.allSatisfy { $0.snapshot.liveDocuments > 0 }, "every shard holds patents")
        let sharded = ShardedSearch(shards: shards)
        let pair = try ReferencePair(merged: false)
        var generator = ReferenceQueryGenerator(corpus: pair.corpus, patents: pair.patents, seed: 4_241 + UInt64(count))
        let queries = ["TTL:(device OR method)", "ABST:water", "PBD:[20100101 TO 20201231]", "AUTHORITY:US",
                       "CLMS:(sensor $W2 signal)"] + (0..<45).map { _ in generator.query() }
        var compared = 0, nonEmpty = 0, failures = 0
        for (number, query) in queries.enumerated() {
            for request in Self.variants(query, stemming: number % 3 == 0) {
                let expected: Result<SearchResult, QueryError> = Result { () throws(QueryError) in try single.search(request) }
                let actual: Result<SearchResult, QueryError> = Result { () throws(QueryError) in try sharded.search(request) }
                compared += 1
                if case .success(let result) = expected, result.total > 0 { nonEmpty += 1 }
                switch (expected, actual) {
                case (.success(let one), .success(let many)) where one == many: continue
                case (.failure(let one), .failure(let many)) where one.problem == many.problem: continue
                default:
                    failures += 1
                    if failures <= 10 { Issue.record("\(query) \(request.collapse.map { "\($0)" } ?? "") sort \(request.sort): \(expected) vs \(actual)") }
                }
            }
        }
        #expect(failures == 0)
        #expect(nonEmpty * 3 >= compared, "too few requests match anything to prove much: \(nonEmpty) of \(compared)")
    }

    @Test("an index remembers its shard: later updates keep it, another shard is refused unless rebuilt")
    func indexRemembersItsShard() throws {
        // A store of its own: the shared fixture store is read by suites running alongside.
        let store = try PatentStore(directory: try temporaryDirectory("remembered-shard-store"))
        try store.upsert(try FixtureIndex.shared.store.changes(after: 0, limit: 100_000).map(\.patent))
        let directory = try temporaryDirectory("remembered-shard")
        var updater = IndexUpdater(store: store, directory: directory)
        updater.shard = try ShardRouting(count: 2, index: 1)
        try updater.update()
        let held = try IndexSnapshot.open(directory: directory)
        #expect(held.manifest.shard == (try ShardRouting(count: 2, index: 1)))
        let total = try store.count()
        #expect(held.liveDocuments > 0 && held.liveDocuments < total)

        // A later update naming no shard keeps it (`serve`, the feed's follower).
        var changed = try #require(try store.patent("US11147202B2"))
        changed.titles.append(LocalizedText(language: "fr", text: "Diable à roues"))
        try store.upsert([changed])
        try IndexUpdater(store: store, directory: directory).update()
        let after = try IndexSnapshot.open(directory: directory)
        #expect(after.manifest.shard == held.manifest.shard && after.liveDocuments == held.liveDocuments)

        var other = IndexUpdater(store: store, directory: directory)
        other.shard = try ShardRouting(count: 2, index: 0)
        #expect(throws: IndexError.otherShard(holds: "shard 1 of 2", asked: "shard 0 of 2")) { try other.update() }
        other.rebuild = true
        try other.update()
        #expect(try IndexSnapshot.open(directory: directory).liveDocuments == total - held.liveDocuments)
    }

    @Test("routing: a family's patents share one shard; the route is the same on every machine")
    func routing() throws {
        #expect(ShardRouting.shard(pn: "EP1A1", extendedFamily: 42, count: 4) == ShardRouting.shard(pn: "US9B2", extendedFamily: 42, count: 4))
        // FNV-1a 64 of "family:<id>", else "pn:<PN>", fixed forever (a change would move every
        // patent of a published index): values computed independently (Python).
        #expect((0..<8).map { ShardRouting.shard(pn: "x", extendedFamily: $0, count: 4) } == [3, 0, 1, 2, 3, 0, 1, 2])
        #expect(ShardRouting.shard(pn: "EP1A1", extendedFamily: nil, count: 4) == 3)
        #expect(try ShardRouting(count: 4, index: 3).holds(pn: "EP1A1", extendedFamily: nil))
        #expect(throws: ShardRouting.Failure.invalid(count: 2, index: 2)) { try ShardRouting(count: 2, index: 2) }
        #expect(throws: ShardRouting.Failure.invalid(count: 0, index: 0)) { try ShardRouting(count: 0, index: 0) }
    }

    @Test("a patent two shards both answer (a family moved between their generations) is kept once, counted once")
    func duplicatesAcrossShardsAreMergedOnce() {
        func hit(_ pn: String, _ score: Double) -> SearchHit {
            SearchHit(pn: pn, score: score, publicationDate: 20_200_101, applicationDate: 0, grantDate: 0)
        }
        let first = SearchResult(total: 3, hits: [hit("US1A", 5), hit("US2A", 3), hit("US3A", 1)])
        let second = SearchResult(total: 2, hits: [hit("US2A", 4), hit("US4A", 2)])
        var request = SearchRequest(query: "x")
        request.rows = 10
        let merged = ShardedSearch.merge([first, second], for: request)
        #expect(merged.hits.map(\.pn) == ["US1A", "US2A", "US4A", "US3A"])
        #expect(merged.hits[1].score == 4, "kept where it ranks first")
        #expect(merged.total == 4)
        request.offset = 1
        request.rows = 2
        #expect(ShardedSearch.merge([first, second], for: request).hits.map(\.pn) == ["US2A", "US4A"])
    }
}
