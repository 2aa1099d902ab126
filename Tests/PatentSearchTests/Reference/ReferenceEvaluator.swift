import Foundation
import PatentModel
import PatentQuery

/// The documents the reference evaluator searches: every live patent, and the replaced
/// or removed versions an unmerged index still holds.
final class ReferenceCorpus {
    let vocabulary = ReferenceVocabulary()
    private(set) var stemmer: ReferenceStemmer
    private(set) var documents: [ReferenceDocument] = []

    init() throws { stemmer = try ReferenceStemmer() }

    /// Adds or replaces a patent; the replaced version stays as a ghost until `merge`.
    func add(_ patent: Patent, families: [String: String]) {
        remove(patent.pn)
        documents.append(ReferenceDocumentBuilder(vocabulary: vocabulary).document(patent, families: families))
    }

    func remove(_ pn: String) {
        for i in documents.indices where documents[i].pn == pn { documents[i].live = false }
    }

    /// What a merge into one segment does: ghosts and their words go.
    func merge() {
        documents.removeAll { !$0.live }
        vocabulary.byField = [:]
        for doc in documents {
            for (field, values) in doc.values { for value in values { vocabulary.byField[field, default: []].formUnion(value.tokens) } }
        }
    }

    /// Stems every word met so far (documents and `queries`), then fills in the documents' stems.
    func prepare(queries: [String]) throws {
        let queryWords = queries.flatMap { ReferenceText.tokens(paragraphs: [$0]).map(\.text) }
        try stemmer.learn(vocabulary.words + queryWords)
        for d in documents.indices {
            for (field, values) in documents[d].values where field.isText {
                for v in values.indices where documents[d].values[field]![v].stems.isEmpty {
                    var value = documents[d].values[field]![v]
                    for (position, id) in value.tokens.enumerated() {
                        guard let stem = stemmer.stem(vocabulary.words[Int(id)]) else { value.stems.append(-1); continue }
                        let stemID = vocabulary.id(stem) + ReferenceVocabulary.stemOffset
                        value.stems.append(stemID)
                        value.positions[stemID, default: []].append(position)
                    }
                    documents[d].values[field]![v] = value
                }
            }
        }
    }

    var liveCount: Int { documents.count { $0.live } }
}

/// One reference search result: every matching live patent with its score.
struct ReferenceResult {
    var scores: [String: Double]
    var publicationDates: [String: Int]

    /// The total order of QUERY.md §5: score descending, publication date descending, PN ascending.
    var ordered: [String] {
        scores.keys.sorted { a, b in
            if scores[a]! != scores[b]! { return scores[a]! > scores[b]! }
            if publicationDates[a]! != publicationDates[b]! { return publicationDates[a]! > publicationDates[b]! }
            return a < b
        }
    }
}

/// The wildcard expansion limit of QUERY.md §3, as the reference evaluator reports it.
struct ReferenceLimitError: Error, CustomStringConvertible {
    var term: String
    var limit: Int
    var description: String { "'\(term)' matches more than \(limit) terms" }
}

/// Evaluates a parsed query over a reference corpus by scanning each document's values
/// (QUERY.md §2, §3, §8, §9) and scores the matches with BM25 (§5).
///
/// Scoring, as decided for this server (the engine must agree to 1e-9): the score is the
/// sum, over every term of the query that stands under an even number of NOTs, and over
/// every text field of that term's scope, of
/// `weight(field) · ln(1 + (N − df + 0.5)/(df + 0.5)) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))`
/// where tf is how often the term occurs in that field of the document — a single token
/// (a word, or a one-piece wildcard summed over its expansions) counted as tokens, a
/// phrase or any `$FREQ` term counted as occurrences — df the documents holding it
/// (including replaced versions an unmerged index still holds, as Lucene counts them),
/// N the live documents, len the field's tokens over all its values, avglen its mean over
/// live documents (at least 1). Numbers, codes, dates and party names are not scored.
final class ReferenceSearch {
    let corpus: ReferenceCorpus
    let stemming: Bool
    let k1 = 1.2, b = 0.75
    static let expansionLimit = 10_000, proximityExpansionLimit = 1_500

    private var hitCache: [Int: [Int: [Hit]]] = [:]

    struct Hit: Hashable {
        var field: ReferenceField
        var value: Int
        var start: Int, end: Int
        var sentences: ClosedRange<Int>
        var paragraphs: ClosedRange<Int>
    }

    init(corpus: ReferenceCorpus, stemming: Bool) {
        self.corpus = corpus
        self.stemming = stemming
    }

    func run(_ root: QueryNode) throws -> ReferenceResult {
        try checkExpansions(root, scope: .mainf, inProximity: false)
        var leaves: [(Term, ReferenceScope)] = []
        collectLeaves(root, scope: .mainf, positive: true, into: &leaves)
        let documents = corpus.documents
        var matching: [Int] = []
        for (d, doc) in documents.enumerated() where doc.live && matches(root, d, scope: .mainf) { matching.append(d) }
        var scores = [Double](repeating: 0, count: documents.count)
        let n = Double(max(1, corpus.liveCount))
        for (term, scope) in leaves {
            for field in scope.text where field.isText {
                var tfs: [Int: Int] = [:]
                for d in documents.indices {
                    let tf = frequency(term, scope: scope, field: field, doc: d)
                    if tf > 0 { tfs[d] = tf }
                }
                guard !tfs.isEmpty else { continue }
                let df = Double(tfs.count)
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                let average = max(averageLength(field), 1)
                for d in matching {
                    guard let tf = tfs[d].map(Double.init) else { continue }
                    let length = Double(documents[d].length(field))
                    scores[d] += field.weight * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
                }
            }
        }
        var result = ReferenceResult(scores: [:], publicationDates: [:])
        for d in matching {
            result.scores[documents[d].pn] = scores[d]
            result.publicationDates[documents[d].pn] = documents[d].publicationDate
        }
        return result
    }

    private var averages: [ReferenceField: Double] = [:]
    private func averageLength(_ field: ReferenceField) -> Double {
        if let known = averages[field] { return known }
        let live = corpus.documents.filter(\.live)
        let average = live.isEmpty ? 0 : Double(live.reduce(0) { $0 + $1.length(field) }) / Double(live.count)
        averages[field] = average
        return average
    }

    // MARK: structure

    private func matches(_ node: QueryNode, _ d: Int, scope: ReferenceScope) -> Bool {
        switch node {
        case .and(let children): return children.allSatisfy { matches($0, d, scope: scope) }
        case .or(let children): return children.contains { matches($0, d, scope: scope) }
        case .not(let child): return !matches(child, d, scope: scope)
        case .field(let code, let child): return matches(child, d, scope: ReferenceScope.named(code)!)
        case .range(let from, let to): return inRange(d, from: from, to: to, scope: scope)
        case .proximity: return !hits(node, d, scope: scope).isEmpty
        case .term(let term):
            if scope.dates != nil { return inRange(d, from: term.text, to: term.text, scope: scope) }
            let text = !scope.text.isEmpty && !termHits(term, d, scope: scope).isEmpty
            if text { return true }
            if scope.mixed && term.minimumFrequency != nil { return false }
            return keywordMatches(term, d, scope: scope)
        }
    }

    /// Terms that count for the score: under an even number of NOTs.
    private func collectLeaves(_ node: QueryNode, scope: ReferenceScope, positive: Bool, into leaves: inout [(Term, ReferenceScope)]) {
        switch node {
        case .and(let children), .or(let children):
            for child in children { collectLeaves(child, scope: scope, positive: positive, into: &leaves) }
        case .not(let child): collectLeaves(child, scope: scope, positive: !positive, into: &leaves)
        case .field(let code, let child): collectLeaves(child, scope: ReferenceScope.named(code)!, positive: positive, into: &leaves)
        case .proximity(let left, _, let right):
            collectLeaves(left, scope: scope, positive: positive, into: &leaves)
            collectLeaves(right, scope: scope, positive: positive, into: &leaves)
        case .term(let term): if positive { leaves.append((term, scope)) }
        case .range: break
        }
    }

    /// The expansion limit, checked per wildcard term before anything is matched.
    private func checkExpansions(_ node: QueryNode, scope: ReferenceScope, inProximity: Bool) throws {
        switch node {
        case .and(let children), .or(let children):
            for child in children { try checkExpansions(child, scope: scope, inProximity: inProximity) }
        case .not(let child): try checkExpansions(child, scope: scope, inProximity: inProximity)
        case .field(let code, let child): try checkExpansions(child, scope: ReferenceScope.named(code)!, inProximity: inProximity)
        case .proximity(let left, _, let right):
            try checkExpansions(left, scope: scope, inProximity: true)
            try checkExpansions(right, scope: scope, inProximity: true)
        case .term(let term) where term.kind == .wildcard && !scope.text.isEmpty:
            var distinct = Set<Int32>()
            for piece in ReferenceText.wildcardPieces(term.text) where ReferenceText.hasWildcard(piece) {
                let matching = expansion(piece)
                for field in scope.text { distinct.formUnion(matching.intersection(corpus.vocabulary.byField[field] ?? [])) }
            }
            let limit = inProximity ? Self.proximityExpansionLimit : Self.expansionLimit
            if distinct.count > limit { throw ReferenceLimitError(term: term.text, limit: limit) }
        default: break
        }
    }

    // MARK: text

    private enum Matcher {
        case token(Int32)      // a surface token id, or a stem id
        case any(Set<Int32>)   // a wildcard piece's expansions
        case never
    }

    /// The matchers of a term's tokens in one field (§3: stemmed where the scope and
    /// the field allow, wildcard pieces expanded, never both).
    private func matchers(_ term: Term, field: ReferenceField, scope: ReferenceScope) -> [Matcher] {
        let key = term.position << 5 | field.rawValue
        if let known = matcherCache[key] { return known }
        let made = makeMatchers(term, field: field, scope: scope)
        matcherCache[key] = made
        return made
    }

    private var matcherCache: [Int: [Matcher]] = [:]

    private func makeMatchers(_ term: Term, field: ReferenceField, scope: ReferenceScope) -> [Matcher] {
        let vocabulary = corpus.vocabulary
        if term.kind == .wildcard {
            return ReferenceText.wildcardPieces(term.text).map { piece in
                if ReferenceText.hasWildcard(piece) { return .any(expansion(piece)) }
                return vocabulary.existingID(piece).map(Matcher.token) ?? .never
            }
        }
        return ReferenceText.tokens(paragraphs: [term.text]).map { token in
            if stemming, scope.stems(field), let stem = corpus.stemmer.stem(token.text) {
                return vocabulary.existingID(stem).map { .token($0 + ReferenceVocabulary.stemOffset) } ?? .never
            }
            return vocabulary.existingID(token.text).map(Matcher.token) ?? .never
        }
    }

    private func expansion(_ piece: String) -> Set<Int32> { corpus.vocabulary.expansion(piece) }

    /// Every place the term's tokens stand in a row, in each positional field of the
    /// scope; with `$FREQn`, only documents where one value holds n of them (§3, §8).
    private func termHits(_ term: Term, _ d: Int, scope: ReferenceScope) -> [Hit] {
        if let cached = hitCache[term.position]?[d] { return cached }
        var out: [Hit] = []
        for field in scope.text {
            let matchers = matchers(term, field: field, scope: scope)
            guard !matchers.isEmpty else { continue }
            for (v, value) in (corpus.documents[d].values[field] ?? []).enumerated() where value.tokens.count >= matchers.count {
                for start in starts(matchers[0], value) where start + matchers.count <= value.tokens.count {
                    let fits = matchers.indices.dropFirst().allSatisfy { accepts(matchers[$0], value, at: start + $0) }
                    guard fits else { continue }
                    let end = start + matchers.count - 1
                    out.append(Hit(field: field, value: v, start: start, end: end,
                                   sentences: value.sentences[start]...value.sentences[end],
                                   paragraphs: value.paragraphs[start]...value.paragraphs[end]))
                }
            }
        }
        if let n = term.minimumFrequency {
            let perValue = Dictionary(grouping: out) { "\($0.field.rawValue)/\($0.value)" }
            if !perValue.values.contains(where: { $0.count >= n }) { out = [] }
        }
        hitCache[term.position, default: [:]][d] = out
        return out
    }

    private func starts(_ matcher: Matcher, _ value: ReferenceValue) -> [Int] {
        switch matcher {
        case .token(let id): return value.positions[id] ?? []
        case .any(let ids):
            var found: [Int] = []
            for (id, positions) in value.positions where ids.contains(id) { found += positions }
            return found.sorted()
        case .never: return []
        }
    }

    private func accepts(_ matcher: Matcher, _ value: ReferenceValue, at i: Int) -> Bool {
        switch matcher {
        case .token(let id): return id >= ReferenceVocabulary.stemOffset ? value.stems[i] == id : value.tokens[i] == id
        case .any(let ids): return ids.contains(value.tokens[i])
        case .never: return false
        }
    }

    /// tf of a scored term in one field of one document.
    private func frequency(_ term: Term, scope: ReferenceScope, field: ReferenceField, doc d: Int) -> Int {
        let matchers = matchers(term, field: field, scope: scope)
        if matchers.count == 1, term.minimumFrequency == nil {
            return (corpus.documents[d].values[field] ?? []).reduce(0) { $0 + starts(matchers[0], $1).count }
        }
        return termHits(term, d, scope: scope).count { $0.field == field }
    }

    private func hits(_ node: QueryNode, _ d: Int, scope: ReferenceScope) -> [Hit] {
        switch node {
        case .term(let term): return termHits(term, d, scope: scope)
        case .or(let children): return children.flatMap { hits($0, d, scope: scope) }
        case .field(let code, let child): return hits(child, d, scope: ReferenceScope.named(code)!)
        case .proximity(let left, let op, let right):
            let rights = hits(right, d, scope: scope)
            guard !rights.isEmpty else { return [] }
            // Right spans per field value, by start: each left span looks at a window only.
            var groups: [Int: [Hit]] = [:]
            for b in rights { groups[b.field.rawValue << 24 | b.value, default: []].append(b) }
            for key in groups.keys { groups[key]!.sort { $0.start < $1.start } }
            let longest = rights.map { $0.end - $0.start }.max() ?? 0
            var out = Set<Hit>()
            for a in hits(left, d, scope: scope) {
                guard let group = groups[a.field.rawValue << 24 | a.value] else { continue }
                var candidates = group[...]
                if case .within(let n) = op { candidates = Self.starting(group, from: a.start - 1 - n - longest, to: a.end + 1 + n) }
                if case .preceding(let n) = op { candidates = Self.starting(group, from: a.end + 1, to: a.end + 1 + n) }
                for b in candidates where Self.satisfies(a, op, b) {
                    out.insert(Hit(field: a.field, value: a.value, start: min(a.start, b.start), end: max(a.end, b.end),
                                   sentences: min(a.sentences.lowerBound, b.sentences.lowerBound)...max(a.sentences.upperBound, b.sentences.upperBound),
                                   paragraphs: min(a.paragraphs.lowerBound, b.paragraphs.lowerBound)...max(a.paragraphs.upperBound, b.paragraphs.upperBound)))
                }
            }
            return Array(out)
        default: return []
        }
    }

    /// The spans of `sorted` (by start) that start within `from...to`.
    private static func starting(_ sorted: [Hit], from: Int, to: Int) -> ArraySlice<Hit> {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].start < from { low = mid + 1 } else { high = mid }
        }
        var end = low
        while end < sorted.count, sorted[end].start <= to { end += 1 }
        return sorted[low..<end]
    }

    /// §3 and §8: tokens strictly between non-overlapping spans; one sentence or paragraph for both.
    static func satisfies(_ a: Hit, _ op: ProximityOperator, _ b: Hit) -> Bool {
        switch op {
        case .within(let n): return (a.end < b.start && b.start - a.end - 1 <= n) || (b.end < a.start && a.start - b.end - 1 <= n)
        case .preceding(let n): return a.end < b.start && b.start - a.end - 1 <= n
        case .sentence: return a.sentences.count == 1 && a.sentences == b.sentences
        case .paragraph: return a.paragraphs.count == 1 && a.paragraphs == b.paragraphs
        }
    }

    // MARK: numbers, codes, dates

    private func keywordMatches(_ term: Term, _ d: Int, scope: ReferenceScope) -> Bool {
        if let n = term.minimumFrequency, n > 1 { return false }
        let doc = corpus.documents[d]
        return scope.keywords.contains { keyword in
            let values: Set<String>
            switch keyword {
            case .publication: values = doc.publicationNumbers
            case .application: values = doc.applicationNumbers
            case .priority: values = doc.priorityNumbers
            case .kind: values = [doc.kind]
            case .authority: values = [doc.authority]
            case .patentType: values = [doc.patentType]
            case .ipc: values = doc.ipc
            case .cpc: values = doc.cpc
            case .family(let level): values = doc.families[level].map { [$0] } ?? []
            }
            if term.kind == .wildcard {
                let keep: (Character) -> Bool = { $0.isLetter || $0.isNumber || "*?#".contains($0)
                    || ($0 == "/" && (keyword == .ipc || keyword == .cpc)) }
                let pattern = Array(String(term.text.uppercased().filter(keep)).unicodeScalars)
                return values.contains { ReferenceText.glob(pattern, Array($0.unicodeScalars)) }
            }
            let key: String?
            switch keyword {
            case .publication: key = ReferenceNumbers.publicationQuery(term.text)
            case .application, .priority: key = ReferenceNumbers.referenceQuery(term.text)
            case .kind, .authority, .patentType: key = ReferenceNumbers.compact(term.text)
            case .ipc, .cpc: key = ReferenceClasses.key(term.text)
            case .family: key = Int(term.text).map(String.init)
            }
            return key.map(values.contains) ?? false
        }
    }

    private func inRange(_ d: Int, from: String?, to: String?, scope: ReferenceScope) -> Bool {
        let doc = corpus.documents[d]
        let date: Int
        switch scope.dates {
        case .application: date = doc.applicationDate
        case .publication: date = doc.publicationDate
        case .grant: date = doc.grantDate
        case .priority: date = doc.priorityDate
        case nil: return false
        }
        guard date != 0 else { return false }
        func bound(_ text: String?) -> Int? { text.flatMap { Int($0.filter(\.isNumber)) } }
        let value = scope.years ? date / 10_000 : date
        return value >= (bound(from) ?? Int.min) && value <= (bound(to) ?? Int.max)
    }
}
