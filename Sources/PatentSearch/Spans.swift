import PatentIndex
import PatentQuery

/// A matched stretch of tokens in one value of one field.
struct Span: Hashable {
    var field: IndexField
    var value: Int32
    var start: Int32
    var end: Int32
    var sentenceStart: Int32
    var sentenceEnd: Int32
    var paragraphStart: Int32
    var paragraphEnd: Int32

    /// Whether `self` and `other` satisfy a proximity operator (QUERY.md §3 and §8):
    /// both in the same value of the same field; `$W`/`$PRE` spans must not overlap and
    /// have at most n tokens strictly between them; `$SEN`/`$PARA` need both spans
    /// inside one and the same sentence / paragraph (one occurrence may satisfy both).
    func satisfies(_ op: ProximityOperator, with other: Span) -> Bool {
        guard field == other.field, value == other.value else { return false }
        switch op {
        case .within(let n):
            if end < other.start { return Int(other.start - end - 1) <= n }
            if other.end < start { return Int(start - other.end - 1) <= n }
            return false
        case .preceding(let n):
            return end < other.start && Int(other.start - end - 1) <= n
        case .sentence:
            return sentenceStart == sentenceEnd && other.sentenceStart == other.sentenceEnd && sentenceStart == other.sentenceStart
        case .paragraph:
            return paragraphStart == paragraphEnd && other.paragraphStart == other.paragraphEnd && paragraphStart == other.paragraphStart
        }
    }

    /// The result span of an operator: from the first to the last token.
    func joined(with other: Span) -> Span {
        Span(field: field, value: value, start: min(start, other.start), end: max(end, other.end),
             sentenceStart: min(sentenceStart, other.sentenceStart), sentenceEnd: max(sentenceEnd, other.sentenceEnd),
             paragraphStart: min(paragraphStart, other.paragraphStart), paragraphEnd: max(paragraphEnd, other.paragraphEnd))
    }
}

/// Spans per document of one operand in one segment.
typealias SpanMap = [Int32: [Span]]

enum SpanOperations {
    static func union(_ maps: [SpanMap]) -> SpanMap {
        var out: SpanMap = [:]
        for map in maps {
            for (doc, spans) in map { out[doc, default: []].append(contentsOf: spans) }
        }
        return out
    }

    /// Joins two operands' spans per document. Right spans are grouped by field value
    /// (and sentence or paragraph) and sorted by start and end, so each left span looks
    /// only at the right spans inside its window: linear in the spans, not quadratic.
    static func proximity(_ left: SpanMap, _ op: ProximityOperator, _ right: SpanMap) -> SpanMap {
        var out: SpanMap = [:]
        out.reserveCapacity(min(left.count, right.count))
        for (doc, leftSpans) in left {
            guard let rightSpans = right[doc] else { continue }
            // Few spans (the usual case): every pair, deduplicated in a small array, costs
            // less than building the groups below.
            if leftSpans.count * rightSpans.count <= smallJoin {
                var joined: [Span] = []
                for a in leftSpans {
                    for b in rightSpans where a.satisfies(op, with: b) {
                        let span = a.joined(with: b)
                        if !joined.contains(span) { joined.append(span) }
                    }
                }
                if !joined.isEmpty { out[doc] = joined }
                continue
            }
            var joined = Set<Span>()
            switch op {
            case .sentence, .paragraph:
                let isSentence = op == .sentence
                var groups: [UnitKey: [Span]] = [:]
                for b in rightSpans where isSentence ? b.sentenceStart == b.sentenceEnd : b.paragraphStart == b.paragraphEnd {
                    groups[UnitKey(b, sentence: isSentence), default: []].append(b)
                }
                for a in leftSpans where isSentence ? a.sentenceStart == a.sentenceEnd : a.paragraphStart == a.paragraphEnd {
                    for b in groups[UnitKey(a, sentence: isSentence)] ?? [] { joined.insert(a.joined(with: b)) }
                }
            case .within(let n), .preceding(let n):
                var byValue: [ValueKey: (byStart: [Span], byEnd: [Span])] = [:]
                for b in rightSpans { byValue[ValueKey(b), default: ([], [])].byStart.append(b) }
                for key in byValue.keys {
                    byValue[key]!.byStart.sort { $0.start < $1.start }
                    byValue[key]!.byEnd = byValue[key]!.byStart.sorted { $0.end < $1.end }
                }
                let eitherOrder = { if case .within = op { return true } else { return false } }()
                for a in leftSpans {
                    guard let group = byValue[ValueKey(a)] else { continue }
                    // b after a: a.end < b.start <= a.end + 1 + n.
                    var i = lowerBound(group.byStart, a.end + 1, \.start)
                    while i < group.byStart.count, group.byStart[i].start <= a.end + 1 + Int32(n) {
                        joined.insert(a.joined(with: group.byStart[i]))
                        i += 1
                    }
                    guard eitherOrder else { continue }
                    // b before a: a.start - 1 - n <= b.end < a.start.
                    var j = lowerBound(group.byEnd, a.start - 1 - Int32(n), \.end)
                    while j < group.byEnd.count, group.byEnd[j].end < a.start {
                        joined.insert(a.joined(with: group.byEnd[j]))
                        j += 1
                    }
                }
            }
            if !joined.isEmpty { out[doc] = Array(joined) }
        }
        return out
    }

    /// Pairs of spans up to which a document's join compares every pair.
    private static let smallJoin = 64

    private struct ValueKey: Hashable {
        let field: IndexField
        let value: Int32
        init(_ span: Span) { field = span.field; value = span.value }
    }

    private struct UnitKey: Hashable {
        let field: IndexField
        let value: Int32
        let unit: Int32
        init(_ span: Span, sentence: Bool) {
            field = span.field
            value = span.value
            unit = sentence ? span.sentenceStart : span.paragraphStart
        }
    }

    private static func lowerBound(_ spans: [Span], _ key: Int32, _ by: KeyPath<Span, Int32>) -> Int {
        var low = 0, high = spans.count
        while low < high {
            let mid = (low + high) / 2
            if spans[mid][keyPath: by] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Documents where some single field value holds at least `n` spans.
    static func atLeast(_ n: Int, _ map: SpanMap) -> SpanMap {
        map.filter { _, spans in
            var counts: [Int64: Int] = [:]
            for span in spans { counts[Int64(span.field.rawValue) << 32 | Int64(span.value), default: 0] += 1 }
            return counts.values.contains { $0 >= n }
        }
    }
}

/// Sorted, duplicate-free document numbers of one segment.
struct DocSet: Equatable {
    var docs: [Int32]

    init(_ docs: [Int32]) { self.docs = docs }

    init(unsorted: some Sequence<Int32>) { docs = Array(Set(unsorted)).sorted() }

    func intersection(_ other: DocSet) -> DocSet {
        var out: [Int32] = []
        var i = 0, j = 0
        while i < docs.count && j < other.docs.count {
            if docs[i] == other.docs[j] { out.append(docs[i]); i += 1; j += 1 } else if docs[i] < other.docs[j] { i += 1 } else { j += 1 }
        }
        return DocSet(out)
    }

    func union(_ other: DocSet) -> DocSet {
        var out: [Int32] = []
        out.reserveCapacity(docs.count + other.docs.count)
        var i = 0, j = 0
        while i < docs.count || j < other.docs.count {
            if j == other.docs.count || (i < docs.count && docs[i] < other.docs[j]) {
                out.append(docs[i]); i += 1
            } else if i == docs.count || other.docs[j] < docs[i] {
                out.append(other.docs[j]); j += 1
            } else {
                out.append(docs[i]); i += 1; j += 1
            }
        }
        return DocSet(out)
    }
}
