/// Recursive-descent parser for QUERY.md §2:
///
///     or_expr   := and_expr ( OR and_expr )*
///     and_expr  := not_expr ( [AND] not_expr )*
///     not_expr  := prox_expr ( NOT prox_expr )* | NOT prox_expr
///     prox_expr := unit ( PROXOP unit )*
///     unit      := FIELD ':' ( atom | '(' or_expr ')' | range ) | atom | '(' or_expr ')'
///
/// Each error is the first one met reading left to right, at the place QUERY.md §8
/// names. Parsing is linear in the query length.
public struct QueryParser {
    /// Export queries are limited to 2,000 code points (checked before parsing).
    public static let maximumLength = 2_000
    /// Parentheses nest at most this deep; deeper is refused at the opening parenthesis
    /// that goes too far, so recursion here and in evaluation stays bounded.
    public static let maximumNesting = 1_000

    /// `maximumLength` is the caller's limit in code points (P002 allows longer queries).
    public static func parse(_ text: String, maximumLength: Int = maximumLength) throws(QueryError) -> QueryNode {
        let length = text.unicodeScalars.count
        if length > maximumLength {
            throw QueryError("query longer than \(maximumLength) characters", at: maximumLength + 1)
        }
        var parser = QueryParser(lexer: Lexer(text))
        try parser.advance()
        let node = try parser.parseOr().node
        guard case .end = parser.token.kind else { throw parser.unexpected() }
        return node
    }

    /// A parsed node and the first construct in it that a proximity operand may not hold.
    struct Parsed {
        var node: QueryNode
        var forbiddenInProximity: (what: String, position: Int)?
    }

    private var lexer: Lexer
    private var token = Token(kind: .end, position: 1)
    private var nesting = 0
    /// The field of the innermost `FIELD:` being parsed, whether it scopes one word or a
    /// parenthesised group: its words are checked and normalised (dates, years).
    private var scope: SearchField?

    private init(lexer: Lexer) { self.lexer = lexer }

    private mutating func advance() throws(QueryError) { token = try lexer.next() }

    private func unexpected() -> QueryError {
        if case .end = token.kind { return QueryError("unexpected end of query", at: token.position) }
        return QueryError("unexpected '\(token.display)'", at: token.position)
    }

    // MARK: boolean structure

    private mutating func parseOr() throws(QueryError) -> Parsed {
        var first = try parseAnd()
        guard token.keyword == "OR" else { return first }
        var nodes = [first.node]
        while token.keyword == "OR" {
            try advance()
            let next = try parseAnd()
            nodes.append(next.node)
            first.forbiddenInProximity = first.forbiddenInProximity ?? next.forbiddenInProximity
        }
        return Parsed(node: .disjunction(nodes), forbiddenInProximity: first.forbiddenInProximity)
    }

    private mutating func parseAnd() throws(QueryError) -> Parsed {
        var first = try parseNot()
        var nodes = [first.node]
        while true {
            let connective: (String, Int)
            if token.keyword == "AND" {
                connective = ("AND", token.position)
                try advance()
            } else if startsOperand {
                // Juxtaposition is AND; an error points at the second operand.
                connective = ("AND", token.position)
            } else {
                break
            }
            let next = try parseNot()
            nodes.append(next.node)
            first.forbiddenInProximity = first.forbiddenInProximity ?? connective
        }
        return Parsed(node: .conjunction(nodes), forbiddenInProximity: first.forbiddenInProximity)
    }

    /// True when the current token can begin a not_expr.
    private var startsOperand: Bool {
        switch token.kind {
        case .word: return token.keyword == nil || token.keyword == "NOT"
        case .field, .phrase, .open, .openBracket: return true
        default: return false
        }
    }

    private mutating func parseNot() throws(QueryError) -> Parsed {
        if token.keyword == "NOT" {
            let position = token.position
            try advance()
            if token.keyword == "NOT" { throw unexpected() }
            let operand = try parseProximity()
            return Parsed(node: .not(operand.node), forbiddenInProximity: ("NOT", position))
        }
        var first = try parseProximity()
        guard token.keyword == "NOT" else { return first }
        var nodes = [first.node]
        while token.keyword == "NOT" {
            let position = token.position
            try advance()
            if token.keyword == "NOT" { throw unexpected() }
            nodes.append(.not(try parseProximity().node))
            first.forbiddenInProximity = first.forbiddenInProximity ?? ("NOT", position)
        }
        return Parsed(node: .conjunction(nodes), forbiddenInProximity: first.forbiddenInProximity)
    }

    // MARK: proximity

    private mutating func parseProximity() throws(QueryError) -> Parsed {
        var left = try parseUnit()
        while case .dollar(let name, let number, let text) = token.kind, name != "FREQ" {
            let operatorPosition = token.position
            let op = try Self.proximityOperator(name: name, number: number, text: text, at: operatorPosition)
            if let (what, position) = left.forbiddenInProximity {
                throw QueryError("\(what) inside a proximity operand", at: position)
            }
            try advance()
            let right = try parseUnit()
            if let (what, position) = right.forbiddenInProximity {
                throw QueryError("\(what) inside a proximity operand", at: position)
            }
            left = Parsed(node: .proximity(left.node, op, right.node), forbiddenInProximity: nil)
        }
        return left
    }

    static func proximityOperator(name: String, number: Int?, text: String, at position: Int) throws(QueryError) -> ProximityOperator {
        switch name {
        case "W", "PRE":
            guard let number, (0...99).contains(number) else {
                throw QueryError("'$\(name)' needs a distance 0..99", at: position)
            }
            return name == "W" ? .within(number) : .preceding(number)
        case "WS" where number == nil: return .within(99)
        case "SEN" where number == nil: return .sentence
        case "PARA" where number == nil: return .paragraph
        default: throw QueryError("unknown operator '\(text)'", at: position)
        }
    }

    // MARK: units

    private mutating func parseUnit() throws(QueryError) -> Parsed {
        switch token.kind {
        case .field(let code):
            return try parseFieldScope(code)
        case .open:
            return try parseGroup()
        case .openBracket:
            throw QueryError("a range needs a field that has ranges", at: token.position)
        case .word, .phrase:
            return try parseAtom()
        default:
            throw unexpected()
        }
    }

    private mutating func parseGroup() throws(QueryError) -> Parsed {
        let open = token.position
        guard nesting < Self.maximumNesting else {
            throw QueryError("parentheses nested deeper than \(Self.maximumNesting) levels", at: open)
        }
        nesting += 1
        defer { nesting -= 1 }
        try advance()
        if case .close = token.kind { throw unexpected() }
        let inner = try parseOr()
        switch token.kind {
        case .close: try advance()
        case .end: throw QueryError("unbalanced '(' opened", at: open)
        default: throw unexpected()
        }
        return inner
    }

    private mutating func parseFieldScope(_ code: String) throws(QueryError) -> Parsed {
        guard let field = FieldCatalogue.searchField(code) else {
            throw QueryError("unknown field \(code)", at: token.position)
        }
        try advance()
        let outer = scope
        scope = field
        defer { scope = outer }
        var inner: Parsed
        switch token.kind {
        case .open: inner = try parseGroup()
        case .openBracket: inner = try parseRange(field)
        case .word, .phrase: inner = try parseAtom()
        default: throw unexpected()
        }
        inner.node = .scoped(field.code, inner.node)
        return inner
    }

    private mutating func parseAtom() throws(QueryError) -> Parsed {
        let position = token.position
        var term: Term
        switch token.kind {
        case .word(let word):
            if token.keyword != nil { throw unexpected() }
            term = try Self.wordTerm(word, at: position)
            term.position = position
            if let field = scope { term.text = try Self.validatedValue(term.text, for: field, at: position) }
        case .phrase(let phrase):
            if phrase.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
                throw QueryError("empty phrase", at: position)
            }
            term = Term(.phrase, phrase, position: position)
        default:
            throw unexpected()
        }
        try advance()
        var forbidden: (String, Int)?
        if case .dollar(let name, let number, _) = token.kind, name == "FREQ" {
            guard let number, (1...50).contains(number) else {
                throw QueryError("'$FREQ' needs a count 1..50", at: token.position)
            }
            term.minimumFrequency = number
            forbidden = ("'$FREQ'", token.position)
            try advance()
        }
        return Parsed(node: .term(term), forbiddenInProximity: forbidden)
    }

    /// A word, or a wildcard word when it holds `*`, `?` or `#` (QUERY.md §3 wildcards).
    static func wordTerm(_ word: String, at position: Int) throws(QueryError) -> Term {
        guard word.utf8.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else {
            return Term(.word, word)
        }
        if word.allSatisfy({ $0 == "*" }) { throw QueryError("lone '*'", at: position) }
        if word.count > 1, word.hasPrefix("*"), word.hasSuffix("*") {
            throw QueryError("'*' at both ends of '\(word)'", at: position)
        }
        return Term(.wildcard, word)
    }

    /// Dates and years are checked where they are written; a date becomes `yyyyMMdd`.
    static func validatedValue(_ value: String, for field: SearchField, at position: Int) throws(QueryError) -> String {
        switch field.kind {
        case .date:
            guard let date = normalisedDate(value) else { throw QueryError("invalid date '\(value)'", at: position) }
            return date
        case .year:
            guard value.count == 4, value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw QueryError("invalid year '\(value)'", at: position)
            }
            return value
        default:
            return value
        }
    }

    /// `yyyyMMdd` or `yyyy-MM-dd` with a real calendar date → `yyyyMMdd`.
    static func normalisedDate(_ value: String) -> String? {
        let chars = Array(value)
        let digits: [Character]
        if chars.count == 8 {
            digits = chars
        } else if chars.count == 10, chars[4] == "-", chars[7] == "-" {
            digits = Array(chars[0..<4] + chars[5..<7] + chars[8..<10])
        } else {
            return nil
        }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let year = Int(String(digits[0..<4])), let month = Int(String(digits[4..<6])), let day = Int(String(digits[6..<8])),
              (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days, year >= 1000 else { return nil }
        return String(digits)
    }

    private mutating func parseRange(_ field: SearchField) throws(QueryError) -> Parsed {
        let open = token.position
        guard field.allowsRange else { throw QueryError("field \(field.code) has no ranges", at: open) }
        try advance()
        let from = try rangeBound(field, open: open)
        guard token.keyword == "TO" else {
            if case .end = token.kind { throw QueryError("unbalanced '[' opened", at: open) }
            throw QueryError("expected 'TO' in range, found '\(token.display)'", at: token.position)
        }
        try advance()
        let to = try rangeBound(field, open: open)
        switch token.kind {
        case .closeBracket: try advance()
        case .end: throw QueryError("unbalanced '[' opened", at: open)
        default: throw unexpected()
        }
        return Parsed(node: .range(from: from, to: to), forbiddenInProximity: ("range", open))
    }

    private mutating func rangeBound(_ field: SearchField, open: Int) throws(QueryError) -> String? {
        guard case .word(let value) = token.kind, token.keyword == nil else {
            if case .end = token.kind { throw QueryError("unbalanced '[' opened", at: open) }
            throw unexpected()
        }
        let position = token.position
        try advance()
        if value == "*" { return nil }
        return try Self.validatedValue(value, for: field, at: position)
    }
}
