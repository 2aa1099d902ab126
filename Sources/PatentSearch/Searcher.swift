import Foundation
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

    public init(query: String) { self.query = query }
}

public struct SearchHit: Equatable, Sendable {
    public let pn: String
    public let score: Double
    public let publicationDate: Int
}

public struct SearchResult: Equatable, Sendable {
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
    private let averageLengths: [IndexField: Double]
    private let applicationKeyCache = ApplicationKeyCache()

    public init(snapshot: IndexSnapshot,
                weights: [IndexField: Double] = Dictionary(uniqueKeysWithValues: IndexField.textFields.map { ($0, $0.weight) })) {
        self.snapshot = snapshot
        self.weights = weights
        averageLengths = Self.averageLengths(snapshot)
    }

    public func search(_ request: SearchRequest) throws(QueryError) -> SearchResult {
        let tree = try QueryParser.parse(request.query, maximumLength: request.maximumQueryLength)
        return search(request: request, matches: try QueryEvaluator(snapshot: snapshot, stemming: request.stemming).evaluate(tree))
    }

    /// The publication numbers matching a query, in no particular order (for tests and counts).
    public func matchingPublications(_ query: String, stemming: Bool = false) throws(QueryError) -> Set<String> {
        let tree = try QueryParser.parse(query)
        let matches = try QueryEvaluator(snapshot: snapshot, stemming: stemming).evaluate(tree)
        var out = Set<String>()
        for (segment, match) in zip(snapshot.segments, matches) {
            for doc in match.docs.docs { if let pn = try? segment.pn(Int(doc)) { out.insert(pn) } }
        }
        return out
    }

    func search(request: SearchRequest, matches: [SegmentMatches]) -> SearchResult {
        let filtered = matches.enumerated().map { index, match in
            SegmentMatches(docs: dateFiltered(match.docs, segment: snapshot.segments[index], request: request), leaves: match.leaves)
        }
        let frequencies = documentFrequencies(filtered)
        // Saturating: a caller's far-out offset or rows must not trap (the API checks its
        // window before; `patents search` passes its options as given).
        let (sum, overflow) = max(0, request.offset).addingReportingOverflow(max(0, request.rows))
        let wanted = overflow ? Int.max : sum
        // A count alone (P001, rows 0) scores nothing: the total does not depend on scores,
        // and with collapse neither does the number of groups.
        if wanted == 0 {
            let total = request.collapse.map { groupCount(filtered, collapse: $0) } ?? filtered.reduce(0) { $0 + $1.docs.docs.count }
            return SearchResult(total: total, hits: [])
        }
        let order = ResultOrder(keys: request.sort)
        let segments = snapshot.segments
        var top = TopHits(capacity: wanted, order: order) { (try? segments[$0.segment].pn(Int($0.doc))) ?? "" }
        var total = 0
        if let collapse = request.collapse {
            let representatives = self.representatives(filtered, frequencies: frequencies, collapse: collapse, order: order)
            total = representatives.count
            for ranked in representatives { top.offer(ranked.candidate) }
        } else {
            total = filtered.reduce(0) { $0 + $1.docs.docs.count }
            for (index, match) in filtered.enumerated() {
                let segment = segments[index]
                let scores = score(match, segment: segment, frequencies: frequencies)
                for (position, doc) in match.docs.docs.enumerated() where top.mayAdmit(score: scores[position]) {
                    top.offer(order.candidate(score: scores[position], segment: segment, index: index, doc: doc))
                }
            }
        }
        let hits = top.sorted().dropFirst(max(0, request.offset)).map { hit in
            SearchHit(pn: hit.pn, score: hit.candidate.score, publicationDate: Int(hit.candidate.date))
        }
        return SearchResult(total: total, hits: Array(hits))
    }

    /// One representative per collapse group among the matches; documents without a
    /// group stand alone. PNs are read only to break exact ties.
    private func representatives(_ matches: [SegmentMatches], frequencies: [Int: [IndexField: Int]], collapse: Collapse,
                                 order: ResultOrder) -> [Ranked] {
        var best: [Int64: Ranked] = [:]
        // Sized up front: growing a dictionary of 100,000s of groups rehashes it many times.
        best.reserveCapacity(matches.reduce(0) { $0 + $1.docs.docs.count })
        var alone: [Ranked] = []
        let ranks = Dictionary(collapse.authorities.enumerated().map { (Column.pack($1), $0) }, uniquingKeysWith: { first, _ in first })
        for (index, match) in matches.enumerated() {
            let segment = snapshot.segments[index]
            let scores = score(match, segment: segment, frequencies: frequencies)
            let applicationIDs = collapse.kind == .apno ? applicationKeyCache.ids(segment) : []
            for (position, doc) in match.docs.docs.enumerated() {
                let ranked = Ranked(
                    candidate: order.candidate(score: scores[position], segment: segment, index: index, doc: doc),
                    segment: segment,
                    applicationDate: segment.columns.value(Int(doc), .applicationDate),
                    authorityRank: collapse.by == .authority ? ranks[segment.columns.value(Int(doc), .office)] ?? Int.max : 0)
                guard let key = collapse.groupKey(segment: segment, doc: Int(doc), applicationIDs: applicationIDs) else {
                    alone.append(ranked)
                    continue
                }
                if let current = best[key], !collapse.prefers(ranked, over: current) { continue }
                best[key] = ranked
            }
        }
        return alone + best.values
    }

    /// How many groups (and documents without one) the matches fall into.
    private func groupCount(_ matches: [SegmentMatches], collapse: Collapse) -> Int {
        var groups = Set<Int64>()
        var alone = 0
        for (index, match) in matches.enumerated() {
            let segment = snapshot.segments[index]
            let applicationIDs = collapse.kind == .apno ? applicationKeyCache.ids(segment) : []
            for doc in match.docs.docs {
                if let key = collapse.groupKey(segment: segment, doc: Int(doc), applicationIDs: applicationIDs) {
                    groups.insert(key)
                } else {
                    alone += 1
                }
            }
        }
        return groups.count + alone
    }

    private func dateFiltered(_ docs: DocSet, segment: Segment, request: SearchRequest) -> DocSet {
        let bounds: [(Column, Int?, Int?)] = [
            (.applicationDate, request.applicationDateFrom, request.applicationDateTo),
            (.publicationDate, request.publicationDateFrom, request.publicationDateTo),
        ]
        let active = bounds.filter { $0.1 != nil || $0.2 != nil }
        guard !active.isEmpty else { return docs }
        return DocSet(docs.docs.filter { doc in
            active.allSatisfy { column, from, to in
                let date = Int(segment.columns.value(Int(doc), column))
                return date != 0 && date >= (from ?? Int.min) && date <= (to ?? Int.max)
            }
        })
    }

    // MARK: scoring

    /// Per leaf and field: how many documents (over all segments) hold the term.
    private func documentFrequencies(_ matches: [SegmentMatches]) -> [Int: [IndexField: Int]] {
        var out: [Int: [IndexField: Int]] = [:]
        for match in matches {
            for leaf in match.leaves {
                for statistics in leaf.fields { out[leaf.leaf, default: [:]][statistics.field, default: 0] += statistics.docs.count }
            }
        }
        return out
    }

    /// BM25 (k1, b) summed over the matched text-field terms with field weights; one
    /// score per document of `match.docs`, in its order. Both lists are sorted, so each
    /// term's documents are merged with the matches in one pass.
    private func score(_ match: SegmentMatches, segment: Segment, frequencies: [Int: [IndexField: Int]]) -> [Double] {
        let docs = match.docs.docs
        var scores = [Double](repeating: 0, count: docs.count)
        guard !docs.isEmpty else { return scores }
        let n = Double(max(1, snapshot.liveDocuments))
        for leaf in match.leaves {
            for statistics in leaf.fields {
                let field = statistics.field
                let df = Double(frequencies[leaf.leaf]?[field] ?? 1)
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                let weight = (weights[field] ?? 0) * idf
                guard weight != 0 else { continue }
                let average = max(averageLengths[field] ?? 1, 1)
                let (k1, b) = (self.k1, self.b)
                var i = 0
                var j = 0
                while i < statistics.docs.count, j < docs.count {
                    let termDoc = statistics.docs[i]
                    let matchDoc = docs[j]
                    if termDoc < matchDoc {
                        i += 1
                    } else if termDoc > matchDoc {
                        j += 1
                    } else {
                        let tf = Double(statistics.frequencies[i])
                        let length = Double(segment.columns.norm(Int(termDoc), field))
                        let saturation: Double = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
                        scores[j] += weight * saturation
                        i += 1
                        j += 1
                    }
                }
            }
        }
        return scores
    }

    private static func averageLengths(_ snapshot: IndexSnapshot) -> [IndexField: Double] {
        let count = Double(snapshot.liveDocuments)
        var averages: [IndexField: Double] = [:]
        let entries = snapshot.manifest.segments
        for (slot, field) in IndexField.textFields.enumerated() {
            var sum = 0
            for (index, segment) in snapshot.segments.enumerated() {
                let deleted = snapshot.deletions[index]
                // The sum stored with the segment, less its deleted documents: no pass over the norms.
                if index < entries.count, entries[index].id == segment.id, let sums = entries[index].normSums, slot < sums.count {
                    sum += sums[slot] - segment.columns.normSum(field, of: deleted)
                } else {
                    sum += segment.columns.normSum(field, excluding: deleted)
                }
            }
            averages[field] = count > 0 ? Double(sum) / count : 1
        }
        return averages
    }
}
