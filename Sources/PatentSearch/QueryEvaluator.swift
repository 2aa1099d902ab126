import PatentAnalysis
import PatentIndex
import PatentQuery

/// A query planned on one segment: the iterator of its matches, and where the frequencies
/// of every positive text term come from (for scoring).
struct SegmentPlan {
    var root: DocIterator
    var leaves: [LeafStatistics]
}

/// The frequencies of one text term that is not under NOT, per text field. `leaf`
/// numbers the term the same way in every segment.
struct LeafStatistics {
    let leaf: Int
    let fields: [FieldSource]
}

/// Where a term's frequencies in one text field come from.
struct FieldSource {
    let field: IndexField
    /// Documents of the segment holding the term in the field (deleted ones included).
    let documentFrequency: Int
    let kind: Kind

    enum Kind {
        /// Computed beforehand (phrases, spans, wildcard expansions).
        case list(FieldFrequencies)
        /// The term's postings, advanced to each scored document.
        case postings(PostingsCursor)
        /// The matching tree's own iterator, which stands on every matched document that
        /// holds the term (it is reached from the root through conjunctions and unions only).
        case shared(PostingsIterator)
    }

    init(_ frequencies: FieldFrequencies) {
        field = frequencies.field
        documentFrequency = frequencies.docs.count
        kind = .list(frequencies)
    }

    init(field: IndexField, documentFrequency: Int, kind: Kind) {
        self.field = field
        self.documentFrequency = documentFrequency
        self.kind = kind
    }
}

/// Plans a syntax tree on every segment of a snapshot (QUERY.md §3, §8): boolean
/// structure, terms, numbers, classes and dates become iterators over postings and
/// columns (`DocIterator`); phrases, proximity, `$FREQ` and wildcard words are matched
/// on positions beforehand and enter the tree as document lists.
final class QueryEvaluator {
    let snapshot: IndexSnapshot
    let stemming: Bool
    private var expansions: [Int: [[IndexField: [String]]]] = [:]
    private var segmentIndex = 0
    private var leaves: [LeafStatistics] = []
    private var nextLeaf = 0

    init(snapshot: IndexSnapshot, stemming: Bool) {
        self.snapshot = snapshot
        self.stemming = stemming
    }

    var segment: Segment { snapshot.segments[segmentIndex] }

    /// How a node is reached from the root, which decides whether its postings iterators
    /// can also give the scores' frequencies: through conjunctions only (`required`: it
    /// stands on every match), through unions after them (`optional`: it stands on every
    /// match it holds), or otherwise (`detached`: under NOT, or a conjunction under a union,
    /// which can leave a clause past a document it holds).
    enum Path {
        case required, optional, detached

        var inConjunction: Path { self == .required ? .required : .detached }
        var inUnion: Path { self == .detached ? .detached : .optional }
    }

    /// Plans the tree on each segment; `checks` (date bounds of the request) are tested on
    /// every match.
    func plan(_ root: QueryNode, checks: (Segment) -> [ColumnRangeIterator] = { _ in [] }) throws(QueryError) -> [SegmentPlan] {
        var out: [SegmentPlan] = []
        for index in snapshot.segments.indices {
            segmentIndex = index
            leaves = []
            nextLeaf = 0
            frequencyCache = [:]
            var iterator = try self.iterator(root, scope: .mainf, positive: true, path: .required)
            let bounds = checks(segment)
            if !bounds.isEmpty { iterator = ConjunctionIterator([iterator], checks: bounds) }
            out.append(SegmentPlan(root: iterator, leaves: leaves))
        }
        return out
    }

    // MARK: documents

    private func iterator(_ node: QueryNode, scope: FieldScope, positive: Bool, path: Path) throws(QueryError) -> DocIterator {
        switch node {
        case .and(let children):
            var included: [DocIterator] = []
            var checks: [ColumnRangeIterator] = []
            var excluded: [DocIterator] = []
            for child in children {
                if case .not(let inner) = child {
                    excluded.append(try iterator(inner, scope: scope, positive: !positive, path: .detached))
                } else {
                    let clause = try iterator(child, scope: scope, positive: positive, path: path.inConjunction)
                    if let range = clause as? ColumnRangeIterator { checks.append(range) } else { included.append(clause) }
                }
            }
            // A keyword check rarer than every other clause leads with its postings instead.
            let shortest = included.map(\.cost).min() ?? Int.max
            checks.removeAll { check in
                guard let postings = check.keywordPostings, postings.cost < shortest else { return false }
                included.append(postings)
                return true
            }
            var result: DocIterator
            if included.count == 1 && checks.isEmpty {
                result = included[0]
            } else if included.isEmpty && checks.isEmpty {
                result = AllDocumentsIterator(count: segment.documentCount)
            } else {
                result = ConjunctionIterator(included, checks: checks)
            }
            if !excluded.isEmpty { result = ExclusionIterator(result, excluding: union(excluded)) }
            return result
        case .or(let children):
            var clauses: [DocIterator] = []
            for child in children { clauses.append(try iterator(child, scope: scope, positive: positive, path: path.inUnion)) }
            return union(clauses)
        case .not(let child):
            let excluded = try iterator(child, scope: scope, positive: !positive, path: .detached)
            return ExclusionIterator(AllDocumentsIterator(count: segment.documentCount), excluding: excluded)
        case .field(let code, let child):
            return try iterator(child, scope: FieldScope(FieldCatalogue.searchField(code)!), positive: positive, path: path)
        case .range(let from, let to):
            return range(from: from, to: to, scope: scope)
        case .proximity(let left, let op, let right):
            if let streamed = try proximityIterator(left, op, right, scope: scope, positive: positive) { return streamed }
            return ListIterator(DocSet(unsorted: try spans(node, scope: scope, positive: positive).keys))
        case .term(let term):
            return try termIterator(term, scope: scope, positive: positive, path: path)
        }
    }

    /// A proximity of two plain words (no wildcard, phrase or `$FREQ`), streamed per field
    /// (`ProximityIterator`); nil for anything else, which goes through spans. The words
    /// are scored as inside any proximity: by their frequencies over the whole field.
    private func proximityIterator(_ left: QueryNode, _ op: ProximityOperator, _ right: QueryNode, scope: FieldScope,
                                   positive: Bool) throws(QueryError) -> DocIterator? {
        guard case .term(let first) = left, case .term(let second) = right,
              first.kind != .wildcard, second.kind != .wildcard, first.minimumFrequency == nil, second.minimumFrequency == nil
        else { return nil }
        // Per field, each word's slot.
        var words: [(field: IndexField, slots: [Slot])] = []
        for field in scope.positionalFields {
            let a = try slots(first, field: field, scope: scope, inProximity: true)
            let b = try slots(second, field: field, scope: scope, inProximity: true)
            guard a?.count ?? 1 == 1, b?.count ?? 1 == 1 else { return nil }
            if let a, let b { words.append((field, [a[0], b[0]])) }
        }
        var clauses: [DocIterator] = []
        for (field, pair) in words {
            guard let a = postings(pair[0], field: field, positional: true),
                  let b = postings(pair[1], field: field, positional: true) else { continue }
            guard let iterator = ProximityIterator(a, op, b) else { return nil }
            clauses.append(iterator)
        }
        for side in 0..<2 {
            if positive {
                let sources = words.filter { $0.field.kind == .text }.compactMap { field, pair -> FieldSource? in
                    guard let cursor = postings(pair[side], field: field, positional: false) else { return nil }
                    return FieldSource(field: field, documentFrequency: cursor.remaining, kind: .postings(cursor))
                }
                leaves.append(LeafStatistics(leaf: nextLeaf, fields: sources))
            }
            nextLeaf += 1
        }
        return union(clauses)
    }

    private func postings(_ slot: Slot, field: IndexField, positional: Bool) -> PostingsCursor? {
        guard let dictionary = segment.dictionary(field, stemmed: slot.stemmed), let i = dictionary.find(slot.terms[0]) else { return nil }
        return dictionary.postings(i, positional: positional)
    }

    func union(_ clauses: [DocIterator]) -> DocIterator {
        let clauses = clauses.filter { !($0 is EmptyIterator) }
        if clauses.isEmpty { return EmptyIterator() }
        return clauses.count == 1 ? clauses[0] : UnionIterator(clauses)
    }

    private func termIterator(_ term: Term, scope: FieldScope, positive: Bool, path: Path) throws(QueryError) -> DocIterator {
        switch scope.field.kind {
        case .date, .year:
            let value = term.text
            return range(from: value, to: value, scope: scope)
        case .number, .code, .classification, .family:
            return keywordIterator(term, fields: scope.keywordFields)
        case .text, .party:
            return try textIterator(term, scope: scope, positive: positive, path: path)
        case .mixed:
            // An unfielded term also matches as a number or class code (QUERY.md §8).
            let text = try textIterator(term, scope: scope, positive: positive, path: path.inUnion)
            return term.minimumFrequency == nil ? union([text, keywordIterator(term, fields: scope.keywordFields)]) : text
        }
    }

    /// A text term outside proximity. A single-token term (a word, or a wildcard word of
    /// one piece) without `$FREQ` is read from the postings' document lists only; phrases
    /// and `$FREQ` need positions.
    private func textIterator(_ term: Term, scope: FieldScope, positive: Bool, path: Path) throws(QueryError) -> DocIterator {
        var perField: [(IndexField, [Slot])] = []
        for field in scope.positionalFields {
            if let slots = try slots(term, field: field, scope: scope, inProximity: false) { perField.append((field, slots)) }
        }
        // Pairs are read by the counted-phrase path only (spans place each word).
        if term.minimumFrequency == nil, perField.allSatisfy({ $0.1.allSatisfy { $0.terms.count == 1 } }) {
            perField = perField.map { field, slots in (field, Self.pairs(slots, field: field)) }
        }
        guard term.minimumFrequency == nil, perField.allSatisfy({ $0.1.count == 1 }) else {
            // Positions of one phrase never reach the next value while the phrase is shorter
            // than the gap between values.
            if term.minimumFrequency == nil,
               perField.allSatisfy({ $0.1.count < FieldStructure.valueGap && $0.1.allSatisfy { $0.terms.count == 1 } }) {
                return ListIterator(phraseDocs(slots: perField, positive: positive))
            }
            return ListIterator(DocSet(unsorted: textSpans(term, slots: perField, positive: positive).keys))
        }
        var clauses: [DocIterator] = []
        var sources: [FieldSource] = []
        let fieldPath = perField.count > 1 ? path.inUnion : path
        for (field, slots) in perField {
            let slot = slots[0]
            guard slot.terms.count == 1 else {
                // A wildcard's expansions: their frequencies summed per document beforehand.
                let read = frequencies(slot, field: field)
                clauses.append(ListIterator(DocSet(read.docs)))
                sources.append(FieldSource(read))
                continue
            }
            guard let cursor = postings(slot, field: field, positional: false) else {
                sources.append(FieldSource(FieldFrequencies(field: field, docs: [], frequencies: [])))
                continue
            }
            let iterator = PostingsIterator(cursor)
            clauses.append(iterator)
            sources.append(FieldSource(field: field, documentFrequency: cursor.remaining,
                                       kind: fieldPath == .detached ? .postings(cursor) : .shared(iterator)))
        }
        if positive { leaves.append(LeafStatistics(leaf: nextLeaf, fields: sources.filter { $0.field.kind == .text })) }
        nextLeaf += 1
        return union(clauses)
    }

    private func range(from: String?, to: String?, scope: FieldScope) -> DocIterator {
        guard let column = scope.dateColumn else { return EmptyIterator() }
        let isYear = scope.field.kind == .year
        let low = from.flatMap { Int32($0) }.map { isYear ? $0 * 10_000 : $0 } ?? Int32.min
        let high = to.flatMap { Int32($0) }.map { isYear ? $0 * 10_000 + 9_999 : $0 } ?? Int32.max
        return ColumnRangeIterator(segment: segment, column: column, low: low, high: high)
    }

    // MARK: spans

    /// Spans of a proximity operand, read only in documents of `within` when given: a
    /// proximity first intersects its operands' document lists (no positions) and reads
    /// positions only where both can occur.
    private func spans(_ node: QueryNode, scope: FieldScope, positive: Bool, within: DocSet? = nil) throws(QueryError) -> SpanMap {
        switch node {
        case .term(let term):
            return try proximityTermSpans(term, scope: scope, positive: positive, within: within)
        case .or(let children):
            var maps: [SpanMap] = []
            for child in children { maps.append(try spans(child, scope: scope, positive: positive, within: within)) }
            return SpanOperations.union(maps)
        case .field(let code, let child):
            return try spans(child, scope: FieldScope(FieldCatalogue.searchField(code)!), positive: positive, within: within)
        case .proximity(let left, let op, let right):
            var candidates = try operandDocs(left, scope: scope).intersection(try operandDocs(right, scope: scope))
            if let within { candidates = candidates.intersection(within) }
            let leftSpans = try spans(left, scope: scope, positive: positive, within: candidates)
            let rightSpans = try spans(right, scope: scope, positive: positive, within: candidates)
            return SpanOperations.proximity(leftSpans, op, rightSpans)
        default:
            // The parser refuses AND, NOT and ranges inside proximity operands.
            return [:]
        }
    }

    /// A superset of the documents where a proximity operand has spans, from document
    /// lists alone: a term's tokens all occur in one field; OR unites; a proximity needs both.
    private func operandDocs(_ node: QueryNode, scope: FieldScope) throws(QueryError) -> DocSet {
        switch node {
        case .term(let term):
            var result = DocSet([])
            for field in scope.positionalFields {
                guard let slots = try slots(term, field: field, scope: scope, inProximity: true) else { continue }
                var docs: DocSet?
                for slot in slots {
                    let found = DocSet(frequencies(slot, field: field).docs)
                    docs = docs.map { $0.intersection(found) } ?? found
                }
                result = result.union(docs ?? DocSet([]))
            }
            return result
        case .or(let children):
            var result = DocSet([])
            for child in children { result = result.union(try operandDocs(child, scope: scope)) }
            return result
        case .field(let code, let child):
            return try operandDocs(child, scope: FieldScope(FieldCatalogue.searchField(code)!))
        case .proximity(let left, _, let right):
            return try operandDocs(left, scope: scope).intersection(try operandDocs(right, scope: scope))
        default:
            return DocSet([])
        }
    }

    /// Spans of a term inside a proximity. A single-token term's statistics come from its
    /// document lists (over every document, as for a term outside proximity) and its
    /// positions are read only within the candidates; a phrase is read everywhere so that
    /// its document frequency stays exact.
    private func proximityTermSpans(_ term: Term, scope: FieldScope, positive: Bool, within: DocSet?) throws(QueryError) -> SpanMap {
        var perField: [(IndexField, [Slot])] = []
        for field in scope.positionalFields {
            if let slots = try slots(term, field: field, scope: scope, inProximity: true) { perField.append((field, slots)) }
        }
        guard let within, term.minimumFrequency == nil, perField.allSatisfy({ $0.1.count == 1 }) else {
            return textSpans(term, slots: perField, positive: positive)
        }
        if positive {
            let statistics = perField.filter { $0.0.kind == .text }.map { field, slots in
                frequencies(slots[0], field: field)
            }
            leaves.append(LeafStatistics(leaf: nextLeaf, fields: statistics.map(FieldSource.init)))
        }
        nextLeaf += 1
        return SpanOperations.union(perField.map { field, slots in match(slots, in: field, within: within) })
    }

    /// An exact phrase outside proximity without `$FREQ`: its documents and per-field
    /// counts from positions alone (`PhraseMatcher.frequencies`), no spans.
    private func phraseDocs(slots perField: [(IndexField, [Slot])], positive: Bool) -> DocSet {
        let perFieldFrequencies = perField.map { field, slots in
            PhraseMatcher.frequencies(slots.map { ($0.terms[0], $0.stemmed, Int32($0.offset)) }, field: field, segment: segment)
        }.filter { !$0.docs.isEmpty }
        if positive { leaves.append(LeafStatistics(leaf: nextLeaf, fields: perFieldFrequencies.filter { $0.field.kind == .text }.map(FieldSource.init))) }
        nextLeaf += 1
        if perFieldFrequencies.count == 1 { return DocSet(perFieldFrequencies[0].docs) }
        return DocSet(unsorted: perFieldFrequencies.flatMap(\.docs))
    }

    private func textSpans(_ term: Term, slots perField: [(IndexField, [Slot])], positive: Bool) -> SpanMap {
        var result = SpanOperations.union(perField.map { field, slots in match(slots, in: field) })
        if let frequency = term.minimumFrequency { result = SpanOperations.atLeast(frequency, result) }
        if positive { leaves.append(LeafStatistics(leaf: nextLeaf, fields: FieldFrequencies.counting(result).map(FieldSource.init))) }
        nextLeaf += 1
        return result
    }

    struct Slot: Hashable {
        var terms: [String]
        var stemmed: Bool
        /// The slot's place in its phrase (`pairs` may skip places).
        var offset: Int
    }

    /// A phrase's slots in a text field with every two adjacent common words read as their
    /// `WordPairs` term (which the index holds at the first word's position): the phrase
    /// occurs at p exactly when each slot's term occurs at p + its offset, and every word
    /// stays covered. "of the" becomes one term; "at least one" the pairs "at least" and
    /// "least one" at 0 and 1. Stemmed slots and wildcard expansions are kept as they are.
    static func pairs(_ slots: [Slot], field: IndexField) -> [Slot] {
        guard field.kind == .text, slots.count > 1 else { return slots }
        func word(_ k: Int) -> String? {
            slots[k].stemmed || slots[k].terms.count != 1 || !WordPairs.isCommon(slots[k].terms[0]) ? nil : slots[k].terms[0]
        }
        var out: [Slot] = []
        var covered = [Bool](repeating: false, count: slots.count)
        for k in 0..<(slots.count - 1) {
            guard let first = word(k), let second = word(k + 1) else { continue }
            out.append(Slot(terms: [WordPairs.term(first, second)], stemmed: false, offset: k))
            covered[k] = true
            covered[k + 1] = true
        }
        guard !out.isEmpty else { return slots }
        for k in slots.indices where !covered[k] {
            var slot = slots[k]
            slot.offset = k
            out.append(slot)
        }
        return out.sorted { $0.offset < $1.offset }
    }

    private struct FrequencyKey: Hashable {
        let slot: Slot
        let field: IndexField
    }

    /// Document lists read in the current segment: a proximity reads its operands' lists
    /// to find candidates and again for their statistics.
    private var frequencyCache: [FrequencyKey: FieldFrequencies] = [:]

    private func frequencies(_ slot: Slot, field: IndexField) -> FieldFrequencies {
        let key = FrequencyKey(slot: slot, field: field)
        if let cached = frequencyCache[key] { return cached }
        let read = FieldFrequencies.read(slot.terms, field: field, stemmed: slot.stemmed, segment: segment)
        frequencyCache[key] = read
        return read
    }

    /// The token slots of a term in one field: a word or phrase gives one slot per token
    /// (stemmed where stemming applies); a wildcard word one slot per piece, wildcard
    /// pieces expanded over the vocabulary. Nil when the term yields no token.
    private func slots(_ term: Term, field: IndexField, scope: FieldScope, inProximity: Bool) throws(QueryError) -> [Slot]? {
        if term.kind == .wildcard {
            let pieces = TextAnalyzer.wildcardPieces(term.text)
            guard !pieces.isEmpty else { return nil }
            let expanded = try expansion(term, pieces: pieces, scope: scope, inProximity: inProximity)
            return pieces.enumerated().map { index, piece in
                WildcardPattern(piece).hasWildcard ? Slot(terms: expanded[index][field] ?? [], stemmed: false, offset: index)
                    : Slot(terms: [piece], stemmed: false, offset: index)
            }
        }
        let tokens = TextAnalyzer.analyze(paragraphs: [term.text])
        guard !tokens.isEmpty else { return nil }
        let stem = stemming && scope.isStemmed(field)
        return tokens.enumerated().map { index, token in
            if stem, let stemmed = Stemming.stem(token) { return Slot(terms: [stemmed], stemmed: true, offset: index) }
            return Slot(terms: [token.text], stemmed: false, offset: index)
        }
    }

    private func expansion(_ term: Term, pieces: [String], scope: FieldScope, inProximity: Bool) throws(QueryError) -> [[IndexField: [String]]] {
        if let cached = expansions[term.position] { return cached }
        var result: [[IndexField: [String]]] = []
        var distinct = Set<String>()
        for piece in pieces {
            let pattern = WildcardPattern(piece)
            guard pattern.hasWildcard else { result.append([:]); continue }
            result.append(try WildcardExpansion.expand(pattern, fields: scope.positionalFields, snapshot: snapshot,
                                                       term: term, inProximity: inProximity, distinct: &distinct))
        }
        expansions[term.position] = result
        return result
    }

    /// Spans where the slots occur at consecutive positions of one value; only documents
    /// of `within` (sorted) when given.
    private func match(_ slots: [Slot], in field: IndexField, within: DocSet? = nil) -> SpanMap {
        if slots.allSatisfy({ $0.terms.count == 1 }) {
            return PhraseMatcher.spans(slots.map { ($0.terms[0], $0.stemmed) }, field: field, segment: segment, within: within)
        }
        var perSlot: [[Int32: [Occurrence]]] = []
        var candidates: Set<Int32>?
        for slot in slots {
            var occurrences: [Int32: [Occurrence]] = [:]
            if let dictionary = segment.dictionary(field, stemmed: slot.stemmed) {
                for term in slot.terms {
                    guard let i = dictionary.find(term) else { continue }
                    var postings = dictionary.postings(i, positional: true)
                    var cursor = 0
                    while (try? postings.next()) == true {
                        let doc = Int32(postings.doc)
                        if let within {
                            while cursor < within.docs.count, within.docs[cursor] < doc { cursor += 1 }
                            guard cursor < within.docs.count, within.docs[cursor] == doc else { continue }
                        }
                        if let candidates, !candidates.contains(doc) { continue }
                        occurrences[doc, default: []].append(contentsOf: (try? postings.occurrences()) ?? [])
                    }
                }
            }
            let docs = Set(occurrences.keys)
            candidates = candidates.map { $0.intersection(docs) } ?? docs
            perSlot.append(occurrences)
            if candidates?.isEmpty == true { return [:] }
        }
        var result: SpanMap = [:]
        for doc in candidates ?? [] {
            let first = perSlot[0][doc] ?? []
            let later = perSlot.dropFirst().map { Dictionary(grouping: $0[doc] ?? [], by: { Int64($0.value) << 32 | Int64($0.position) }) }
            var spans: [Span] = []
            for o in first {
                var last = o
                var found = true
                for (offset, slot) in later.enumerated() {
                    let key = Int64(o.value) << 32 | Int64(o.position + Int32(offset + 1))
                    guard let next = slot[key]?.first else { found = false; break }
                    last = next
                }
                if found {
                    spans.append(Span(field: field, value: o.value, start: o.position, end: last.position,
                                      sentenceStart: o.sentence, sentenceEnd: last.sentence,
                                      paragraphStart: o.paragraph, paragraphEnd: last.paragraph))
                }
            }
            if !spans.isEmpty { result[doc] = spans }
        }
        return result
    }
}
