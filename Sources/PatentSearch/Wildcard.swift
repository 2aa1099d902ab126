import PatentAnalysis
import PatentIndex
import PatentQuery

/// A wildcard pattern (QUERY.md §3): `*` any run of characters, `?` exactly one,
/// `#` zero or one. It matches whole terms of a field's vocabulary.
struct WildcardPattern: Hashable {
    let scalars: [Unicode.Scalar]

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    static func isWildcard(_ c: Unicode.Scalar) -> Bool { c == "*" || c == "?" || c == "#" }

    var hasWildcard: Bool { scalars.contains(where: Self.isWildcard) }

    /// The literal text before the first wildcard character.
    var literalPrefix: String { String(String.UnicodeScalarView(scalars.prefix { !Self.isWildcard($0) })) }
    /// The literal text after the last wildcard character.
    var literalSuffix: String {
        String(String.UnicodeScalarView(scalars.reversed().prefix { !Self.isWildcard($0) }.reversed()))
    }

    func matches(_ term: String) -> Bool {
        let t = Array(term.unicodeScalars)
        // Backtracking over `*`; `?` and `#` are handled by recursion on short patterns.
        func match(_ p: Int, _ i: Int) -> Bool {
            if p == scalars.count { return i == t.count }
            switch scalars[p] {
            case "*":
                var k = i
                while true {
                    if match(p + 1, k) { return true }
                    if k == t.count { return false }
                    k += 1
                }
            case "?":
                return i < t.count && match(p + 1, i + 1)
            case "#":
                return match(p + 1, i) || (i < t.count && match(p + 1, i + 1))
            default:
                return i < t.count && t[i] == scalars[p] && match(p + 1, i + 1)
            }
        }
        return match(0, 0)
    }

    /// Matching term numbers of a dictionary: a prefix scan when the pattern starts
    /// with text, the reversed-term order when it ends with text (leading `*`), and a
    /// full scan only for patterns with neither.
    /// `WordPairs` terms are never matched: a wildcard names words.
    func matchingTerms(in dictionary: TermDictionary) -> [Int] {
        let prefix = literalPrefix
        let suffix = literalSuffix
        func isWord(_ i: Int) -> Bool { !WordPairs.isPair(dictionary.termBytes(i)) }
        if !prefix.isEmpty {
            return dictionary.prefixRange(prefix).filter { isWord($0) && matches(dictionary.term($0)) }
        }
        if !suffix.isEmpty {
            return dictionary.suffixMatches(suffix).filter { isWord($0) && matches(dictionary.term($0)) }
        }
        return (0..<dictionary.count).filter { isWord($0) && matches(dictionary.term($0)) }
    }
}

/// Wildcard expansion over a whole snapshot, with the limits of QUERY.md §3: 10,000
/// distinct terms per wildcard term, 1,500 inside a proximity operand; more is an error
/// naming the term (never a silent truncation).
enum WildcardExpansion {
    static let limit = 10_000
    static let proximityLimit = 1_500

    /// Distinct matching terms of each field, over every segment. `distinct` collects
    /// the term's matches over all its pieces, so the limit counts the whole term.
    static func expand(_ pattern: WildcardPattern, fields: [IndexField], snapshot: IndexSnapshot,
                       term: Term, inProximity: Bool, distinct: inout Set<String>) throws(QueryError) -> [IndexField: [String]] {
        let limit = inProximity ? proximityLimit : self.limit
        var byField: [IndexField: Set<String>] = [:]
        for field in fields {
            for segment in snapshot.segments {
                guard let dictionary = segment.dictionary(field) else { continue }
                for i in pattern.matchingTerms(in: dictionary) {
                    let text = dictionary.term(i)
                    byField[field, default: []].insert(text)
                    distinct.insert(text)
                    if distinct.count > limit {
                        throw QueryError("'\(term.text)' matches more than \(limit) terms", at: term.position)
                    }
                }
            }
        }
        return byField.mapValues { Array($0) }
    }
}
