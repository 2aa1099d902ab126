import Foundation
import Synchronization
import PatentIndex
import PatentQuery

/// A search: PatSnap query text and the options of the export API.
public struct SearchRequest: Sendable {
    public var query: String
    public var stemming = false
    /// Inclusive `yyyyMMdd` bounds; a bound excludes patents lacking that date (QUERY.md §8).
    public var applicationDateFrom: Int?
    public var applicationDateTo: Int?
    public var publicationDateFrom: Int?
    public var publicationDateTo: Int?
    public var offset = 0
    public var rows = 10
    /// Family collapse; nil is `ALL` (no collapse).
    public var collapse: Collapse?
    /// Sort keys before the relevance order (P002's `sort`); empty is relevance order.
    public var sort: [SortKey] = []
    /// The longest query accepted, in code points (P002 allows 12,000; API.md "Changes").
    public var maximumQueryLength = QueryParser.maximumLength
    /// The query's syntax tree when the caller parsed `query` already (the create path
    /// checks it before answering); nil parses `query`.
    public var parsed: QueryNode?

    public init(query: String) { self.query = query }
}

public struct SearchHit: Equatable, Sendable, Codable {
    public let pn: String
    public let score: Double
    public let publicationDate: Int
    /// Read only when a sort key names them (0 otherwise, as for a patent without one).
    public let applicationDate: Int
    public let grantDate: Int
}

public struct SearchResult: Equatable, Sendable, Codable {
    public let total: Int
    public let hits: [SearchHit]
}

/// Searches one snapshot. Order is total (QUERY.md §5): score descending, then
/// publication date descending, then PN ascending. A searcher is immutable once made
/// and may be shared by concurrent searches.
public final class Searcher: Sendable {
    public let snapshot: IndexSnapshot
    /// BM25 parameters of QUERY.md §5.
    public let k1 = 1.2
    public let b = 0.75
    /// Field weights (QUERY.md §5: TTL 3, ABST 2, CLMS 1.5, DESC 1).
    public let weights: [IndexField: Double]
    /// Each text field's norm sum over the live documents (BM25's field lengths).
    let normSums: [IndexField: Int]
    /// BM25's collection figures from this snapshot alone.
    let scoring: Scoring
    private let groupIDs = GroupIDCache()
    /// A sharded index's figures last searched with (`ShardedSearch`).
    let shardScoringCache = Mutex<(key: ShardScoringKey, scoring: Scoring)?>(nil)

    public init(snapshot: IndexSnapshot,
                weights: [IndexField: Double] = Dictionary(uniqueKeysWithValues: IndexField.textFields.map { ($0, $0.weight) })) {
        self.snapshot = snapshot
        self.weights = weights
        normSums = Self.normSums(snapshot)
        scoring = Scoring(documents: snapshot.liveDocuments, normSums: normSums, k1: k1, b: b)
    }

    public func search(_ request: SearchRequest) throws(QueryError) -> SearchResult {
        try searchCountingSkips(request).result
    }

    /// The search and how many postings blocks block-max jumped (for tests).
    func searchCountingSkips(_ request: SearchRequest) throws(QueryError) -> (result: SearchResult, skippedBlocks: Int) {
        let plans = try plan(request)
        return search(request: request, plans: plans, scoring: scoring, frequencies: documentFrequencies(plans))
    }

    /// The request's query planned on every segment, the date bounds applied.
    func plan(_ request: SearchRequest) throws(QueryError) -> [SegmentPlan] {
        let tree = if let parsed = request.parsed { parsed } else { try parse(request) }
        return try QueryEvaluator(snapshot: snapshot, stemming: request.stemming).plan(tree) { segment in
            Self.dateChecks(segment, request: request)
        }
    }

    private func parse(_ request: SearchRequest) throws(QueryError) -> QueryNode {
        try QueryParser.parse(request.query, maximumLength: request.maximumQueryLength)
    }

    /// The publication numbers matching a query, in no particular order (for tests and counts).
    public func matchingPublications(_ query: String, stemming: Bool = false) throws(QueryError) -> Set<String> {
        let tree = try QueryParser.parse(query)
        let plans = try QueryEvaluator(snapshot: snapshot, stemming: stemming).plan(tree)
        var out = Set<String>()
        for (index, plan) in plans.enumerated() {
            let segment = snapshot.segments[index]
            forEachMatch(plan, segment: index) { doc in if let pn = try? segment.pn(Int(doc)) { out.insert(pn) } }
        }
        return out
    }

    /// Searches with BM25's collection figures `scoring` and the document frequencies of
    /// the query's terms `frequencies` — this snapshot's own, or a whole sharded index's.
    func search(request: SearchRequest, plans: [SegmentPlan], scoring: Scoring,
                frequencies: [Int: [IndexField: Int]]) -> (result: SearchResult, skippedBlocks: Int) {
        // Saturating: a caller's far-out offset or rows must not trap (the API checks its
        // window before; `patents search` passes its options as given).
        let (sum, overflow) = max(0, request.offset).addingReportingOverflow(max(0, request.rows))
        let wanted = overflow ? Int.max : sum
        // A count alone (P001, rows 0) scores nothing: the total does not depend on scores,
        // and with collapse neither does the number of groups.
        if wanted == 0 {
            let total = request.collapse.map { groupCount(plans, collapse: $0) } ?? count(plans)
            return (SearchResult(total: total, hits: []), 0)
        }
        let order = ResultOrder(keys: request.sort)
        let segments = snapshot.segments
        let pns = SegmentPNs(segments: segments)
        var top = TopHits(capacity: wanted, order: order, pns: pns)
        var total = 0
        var skippedBlocks = 0
        if let collapse = request.collapse {
            let representatives = self.representatives(plans, scoring: scoring, frequencies: frequencies, collapse: collapse,
                                                       order: order)
            total = representatives.count
            for ranked in representatives { top.offer(ranked.candidate) }
        } else {
            for (index, plan) in plans.enumerated() {
                let segment = segments[index]
                let scorer = SegmentScorer(plan.leaves, searcher: self, scoring: scoring, segment: segment, frequencies: frequencies)
                func collect(_ doc: Int32) {
                    let score = scorer.score(doc)
                    if top.mayAdmit(score: score) { top.offer(order.candidate(score: score, segment: segment, index: index, doc: doc)) }
                }
                if order.keys.isEmpty, scorer.isConstant {
                    total += collectInDateOrder(plan, segment: index, wanted: wanted, order: order, into: &top)
                    continue
                }
                // Block-max for a lone term (relevance order, nothing deleted): the total is its
                // document frequency, and a block whose best impact scores below the k-th best
                // so far is jumped — strictly below, as an equal score can still enter by date
                // and PN.
                if let term = plan.root as? PostingsIterator, snapshot.deletions[index].count == 0,
                   let score = scorer.singleTermScore(for: term) {
                    total += term.cost
                    skippedBlocks += term.forEach(score: score, minimum: { top.minimumScore }, collect)
                    continue
                }
                forEachMatch(plan, segment: index) { doc in
                    total += 1
                    collect(doc)
                }
            }
        }
        // PNs are read for the window returned only.
        let hits = top.sorted().dropFirst(max(0, request.offset)).map { hit in
            SearchHit(pn: pns.pn(hit), score: hit.score, publicationDate: Int(hit.date),
                      applicationDate: Int(hit.applicationDate), grantDate: Int(hit.grantDate))
        }
        return (SearchResult(total: total, hits: Array(hits)), skippedBlocks)
    }

    /// Calls `body` with each match of a segment that is not deleted, in document order.
    func forEachMatch(_ plan: SegmentPlan, segment index: Int, _ body: (Int32) -> Void) {
        let deletions = snapshot.deletions[index]
        let root = plan.root
        var doc = root.next()
        if deletions.count == 0 {
            while doc != DocIterator.end {
                body(doc)
                doc = root.next()
            }
        } else {
            while doc != DocIterator.end {
                if !deletions.contains(Int(doc)) { body(doc) }
                doc = root.next()
            }
        }
    }

    /// The number of matches; a lone term's is its document frequency when nothing is deleted.
    private func count(_ plans: [SegmentPlan]) -> Int {
        var total = 0
        for (index, plan) in plans.enumerated() {
            if plan.root is PostingsIterator, snapshot.deletions[index].count == 0 {
                total += plan.root.cost
            } else {
                forEachMatch(plan, segment: index) { _ in total += 1 }
            }
        }
        return total
    }

    /// One representative per collapse group among the matches; documents without a
    /// group stand alone. Groups are dense integers (`GroupIDCache`), so the best of each
    /// is found through a flat array; PNs are read only to break exact ties.
    private func representatives(_ plans: [SegmentPlan], scoring: Scoring, frequencies: [Int: [IndexField: Int]],
                                 collapse: Collapse, order: ResultOrder) -> [Ranked] {
        var kept: [Ranked] = []
        var slots = GroupSlots(matches: plans.reduce(0) { $0 &+ $1.root.cost })
        let ranks = Dictionary(collapse.authorities.enumerated().map { (Column.pack($1), $0) }, uniquingKeysWith: { first, _ in first })
        for (index, plan) in plans.enumerated() {
            let segment = snapshot.segments[index]
            let scorer = SegmentScorer(plan.leaves, searcher: self, scoring: scoring, segment: segment, frequencies: frequencies)
            let (ids, groups) = groupIDs.ids(segment, kind: collapse.kind)
            slots.reserve(groups: groups)
            let applicationDates = segment.columns.values(.applicationDate)
            let offices = segment.columns.values(.office)
            forEachMatch(plan, segment: index) { doc in
                let ranked = Ranked(
                    candidate: order.candidate(score: scorer.score(doc), segment: segment, index: index, doc: doc),
                    segment: segment,
                    applicationDate: applicationDates[doc],
                    authorityRank: collapse.by == .authority ? ranks[offices[doc]] ?? Int.max : 0)
                let group = Int(ids[Int(doc)])
                guard group > 0 else {
                    kept.append(ranked)
                    return
                }
                let slot = slots[group]
                if slot < 0 {
                    slots[group] = kept.count
                    kept.append(ranked)
                } else if collapse.prefers(ranked, over: kept[slot]) {
                    kept[slot] = ranked
                }
            }
        }
        return kept
    }

    /// How many groups (and documents without one) the matches fall into.
    private func groupCount(_ plans: [SegmentPlan], collapse: Collapse) -> Int {
        var seen = GroupSlots(matches: plans.reduce(0) { $0 &+ $1.root.cost })
        var total = 0
        for (index, plan) in plans.enumerated() {
            let (ids, groups) = groupIDs.ids(snapshot.segments[index], kind: collapse.kind)
            seen.reserve(groups: groups)
            forEachMatch(plan, segment: index) { doc in
                let group = Int(ids[Int(doc)])
                if group == 0 {
                    total += 1
                } else if seen[group] < 0 {
                    seen[group] = 0
                    total += 1
                }
            }
        }
        return total
    }

    /// The request's date bounds as column checks (a bound excludes patents lacking the date).
    private static func dateChecks(_ segment: Segment, request: SearchRequest) -> [ColumnRangeIterator] {
        let bounds: [(Column, Int?, Int?)] = [
            (.applicationDate, request.applicationDateFrom, request.applicationDateTo),
            (.publicationDate, request.publicationDateFrom, request.publicationDateTo),
        ]
        return bounds.compactMap { column, from, to in
            guard from != nil || to != nil else { return nil }
            return ColumnRangeIterator(segment: segment, column: column,
                                       low: from.map { Int32(clamping: $0) } ?? Int32.min, high: to.map { Int32(clamping: $0) } ?? Int32.max)
        }
    }

    // MARK: scoring

    /// Per leaf and field: how many documents (over all segments) hold the term.
    func documentFrequencies(_ plans: [SegmentPlan]) -> [Int: [IndexField: Int]] {
        var out: [Int: [IndexField: Int]] = [:]
        for plan in plans {
            for leaf in plan.leaves {
                for source in leaf.fields { out[leaf.leaf, default: [:]][source.field, default: 0] += source.documentFrequency }
            }
        }
        return out
    }

    /// Each text field's norm sum over the live documents.
    private static func normSums(_ snapshot: IndexSnapshot) -> [IndexField: Int] {
        var sums: [IndexField: Int] = [:]
        let entries = snapshot.manifest.segments
        for (slot, field) in IndexField.textFields.enumerated() {
            var sum = 0
            for (index, segment) in snapshot.segments.enumerated() {
                let deleted = snapshot.deletions[index]
                // The sum stored with the segment, less its deleted documents: no pass over the norms.
                if index < entries.count, entries[index].id == segment.id, let stored = entries[index].normSums, slot < stored.count {
                    sum += stored[slot] - segment.columns.normSum(field, of: deleted)
                } else {
                    sum += segment.columns.normSum(field, excluding: deleted)
                }
            }
            sums[field] = sum
        }
        return sums
    }
}
