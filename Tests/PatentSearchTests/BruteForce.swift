import PatentAnalysis
import PatentIndex
import PatentQuery
@testable import PatentSearch

/// A second evaluator that scans every document's analysed tokens directly — no
/// dictionaries, postings or segments — for the differential test. It shares with the
/// engine only the tables of what a field covers and how a number is spelled.
final class BruteForce {
    let documents: [IndexDocument]
    /// Each document's tokens with their stems, computed once.
    private let stems: [String: [IndexField: [[String?]]]]
    /// Where each surface form and stem starts, per document, field and value (to skip
    /// scanning positions that cannot start a match).
    private let starts: [String: [IndexField: [[String: [Int]]]]]

    init(documents: [IndexDocument]) {
        self.documents = documents
        var stems: [String: [IndexField: [[String?]]]] = [:]
        var cache: [String: String] = [:]
        for doc in documents {
            for (field, values) in doc.values {
                stems[doc.pn, default: [:]][field] = values.map { tokens in
                    tokens.map { token -> String? in
                        guard token.isLatin else { return nil }
                        if let known = cache[token.text] { return known }
                        let stem = Stemming.stem(token.text)
                        cache[token.text] = stem
                        return stem
                    }
                }
            }
        }
        self.stems = stems
        var starts: [String: [IndexField: [[String: [Int]]]]] = [:]
        for doc in documents {
            for (field, values) in doc.values {
                starts[doc.pn, default: [:]][field] = values.enumerated().map { valueIndex, tokens in
                    var map: [String: [Int]] = [:]
                    for (i, token) in tokens.enumerated() {
                        map[token.text, default: []].append(i)
                        if let stem = stems[doc.pn]?[field]?[valueIndex][i], stem != token.text { map["\u{1}" + stem, default: []].append(i) }
                    }
                    return map
                }
            }
        }
        self.starts = starts
    }

    struct Hit: Equatable {
        var field: IndexField
        var value: Int
        var start: Int
        var end: Int
        var sentences: ClosedRange<Int>
        var paragraphs: ClosedRange<Int>
    }

    func matches(_ query: String, stemming: Bool) throws -> Set<String> {
        let tree = try QueryParser.parse(query)
        return Set(documents.filter { matches(tree, $0, scope: .mainf, stemming: stemming) }.map(\.pn))
    }

    private func matches(_ node: QueryNode, _ doc: IndexDocument, scope: FieldScope, stemming: Bool) -> Bool {
        switch node {
        case .and(let children): return children.allSatisfy { matches($0, doc, scope: scope, stemming: stemming) }
        case .or(let children): return children.contains { matches($0, doc, scope: scope, stemming: stemming) }
        case .not(let child): return !matches(child, doc, scope: scope, stemming: stemming)
        case .field(let code, let child):
            return matches(child, doc, scope: FieldScope(FieldCatalogue.searchField(code)!), stemming: stemming)
        case .range(let from, let to): return inRange(doc, from: from, to: to, scope: scope)
        case .proximity: return !hits(node, doc, scope: scope, stemming: stemming).isEmpty
        case .term(let term):
            switch scope.field.kind {
            case .date, .year: return inRange(doc, from: term.text, to: term.text, scope: scope)
            case .number, .code, .classification, .family: return keyword(term, doc, fields: scope.keywordFields)
            case .text, .party: return !textHits(term, doc, scope: scope, stemming: stemming).isEmpty
            case .mixed:
                return !textHits(term, doc, scope: scope, stemming: stemming).isEmpty
                    || (term.minimumFrequency == nil && keyword(term, doc, fields: scope.keywordFields))
            }
        }
    }

    private func inRange(_ doc: IndexDocument, from: String?, to: String?, scope: FieldScope) -> Bool {
        guard let column = scope.dateColumn else { return false }
        let date = Int(doc.dates[column.rawValue])
        guard date != 0 else { return false }
        let isYear = scope.field.kind == .year
        let year = date / 10_000
        let value = isYear ? year : date
        return value >= (from.flatMap { Int($0) } ?? Int.min) && value <= (to.flatMap { Int($0) } ?? Int.max)
    }

    private func keyword(_ term: Term, _ doc: IndexDocument, fields: [IndexField]) -> Bool {
        if let n = term.minimumFrequency, n > 1 { return false }
        return fields.contains { field in
            let values = doc.keywords[field] ?? []
            if term.kind == .wildcard {
                let pattern = KeywordTerms.pattern(term.text, field: field)
                return values.contains { glob(pattern, $0) }
            }
            guard let key = KeywordTerms.term(term.text, field: field) else { return false }
            return values.contains(key)
        }
    }

    private func hits(_ node: QueryNode, _ doc: IndexDocument, scope: FieldScope, stemming: Bool) -> [Hit] {
        switch node {
        case .term(let term): return textHits(term, doc, scope: scope, stemming: stemming)
        case .or(let children): return children.flatMap { hits($0, doc, scope: scope, stemming: stemming) }
        case .field(let code, let child): return hits(child, doc, scope: FieldScope(FieldCatalogue.searchField(code)!), stemming: stemming)
        case .proximity(let left, let op, let right):
            var out: [Hit] = []
            for a in hits(left, doc, scope: scope, stemming: stemming) {
                for b in hits(right, doc, scope: scope, stemming: stemming) where a.field == b.field && a.value == b.value {
                    let ok: Bool
                    switch op {
                    case .within(let n): ok = (a.end < b.start && b.start - a.end - 1 <= n) || (b.end < a.start && a.start - b.end - 1 <= n)
                    case .preceding(let n): ok = a.end < b.start && b.start - a.end - 1 <= n
                    case .sentence: ok = a.sentences.count == 1 && a.sentences == b.sentences
                    case .paragraph: ok = a.paragraphs.count == 1 && a.paragraphs == b.paragraphs
                    }
                    if ok {
                        out.append(Hit(field: a.field, value: a.value, start: min(a.start, b.start), end: max(a.end, b.end),
                                       sentences: min(a.sentences.lowerBound, b.sentences.lowerBound)...max(a.sentences.upperBound, b.sentences.upperBound),
                                       paragraphs: min(a.paragraphs.lowerBound, b.paragraphs.lowerBound)...max(a.paragraphs.upperBound, b.paragraphs.upperBound)))
                    }
                }
            }
            return out
        default: return []
        }
    }

    /// Every place in the document where the term's tokens stand in a row.
    private func textHits(_ term: Term, _ doc: IndexDocument, scope: FieldScope, stemming: Bool) -> [Hit] {
        var out: [Hit] = []
        for field in scope.positionalFields {
            let stem = stemming && scope.isStemmed(field) && term.kind != .wildcard
            let pieces: [(String, Bool)]
            if term.kind == .wildcard {
                pieces = TextAnalyzer.wildcardPieces(term.text).map { ($0, $0.contains { "*?#".contains($0) }) }
            } else {
                pieces = TextAnalyzer.analyze(paragraphs: [term.text]).map { (stem && $0.isLatin ? Stemming.stem($0.text) : $0.text, false) }
            }
            guard !pieces.isEmpty else { continue }
            let stemmed = stems[doc.pn]?[field] ?? []
            for (valueIndex, tokens) in (doc.values[field] ?? []).enumerated() where tokens.count >= pieces.count {
                let candidates: [Int]
                if pieces[0].1 {
                    candidates = Array(0...(tokens.count - pieces.count))
                } else {
                    let map = starts[doc.pn]?[field]?[valueIndex] ?? [:]
                    let surface = map[pieces[0].0] ?? []
                    let viaStem = stem ? (map["\u{1}" + pieces[0].0] ?? []) : []
                    candidates = Array(Set(surface + viaStem)).filter { $0 <= tokens.count - pieces.count }.sorted()
                }
                for i in candidates {
                    let fits = pieces.indices.allSatisfy { k in
                        let token = tokens[i + k]
                        let (piece, isPattern) = pieces[k]
                        if isPattern { return glob(piece, token.text) }
                        return (stem ? stemmed[valueIndex][i + k] ?? token.text : token.text) == piece
                    }
                    if fits {
                        let first = tokens[i], last = tokens[i + pieces.count - 1]
                        out.append(Hit(field: field, value: valueIndex, start: first.position, end: last.position,
                                       sentences: first.sentence...last.sentence, paragraphs: first.paragraph...last.paragraph))
                    }
                }
            }
        }
        if let n = term.minimumFrequency {
            let counts = Dictionary(grouping: out, by: { "\($0.field.rawValue)-\($0.value)" }).mapValues(\.count)
            return counts.values.contains { $0 >= n } ? out : []
        }
        return out
    }

    /// `*` any run, `?` one character, `#` zero or one — written independently of the engine's matcher.
    /// Patterns meet the same words again and again: remember each answer.
    private var globbed: [String: [String: Bool]] = [:]

    private func glob(_ pattern: String, _ text: String) -> Bool {
        if let known = globbed[pattern]?[text] { return known }
        let answer = computeGlob(pattern, text)
        globbed[pattern, default: [:]][text] = answer
        return answer
    }

    private func computeGlob(_ pattern: String, _ text: String) -> Bool {
        // Quick refusal on the literal first and last characters.
        if let first = pattern.unicodeScalars.first, !"*?#".unicodeScalars.contains(first), text.unicodeScalars.first != first { return false }
        if let last = pattern.unicodeScalars.last, !"*?#".unicodeScalars.contains(last), text.unicodeScalars.last != last { return false }
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var table = Array(repeating: Array(repeating: false, count: t.count + 1), count: p.count + 1)
        table[p.count][t.count] = true
        for i in stride(from: p.count - 1, through: 0, by: -1) {
            for j in stride(from: t.count, through: 0, by: -1) {
                switch p[i] {
                case "*": table[i][j] = table[i + 1][j] || (j < t.count && table[i][j + 1])
                case "?": table[i][j] = j < t.count && table[i + 1][j + 1]
                case "#": table[i][j] = table[i + 1][j] || (j < t.count && table[i + 1][j + 1])
                default: table[i][j] = j < t.count && t[j] == p[i] && table[i + 1][j + 1]
                }
            }
        }
        return table[0][0]
    }
}
