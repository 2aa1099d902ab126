/// Splits query text into tokens on demand, so an error is met in reading order.
/// Positions are 1-based Unicode code point offsets.
struct Token: Equatable {
    enum Kind: Equatable {
        case word(String)
        /// A word immediately followed by `:` — a field reference.
        case field(String)
        case phrase(String)
        case open, close, openBracket, closeBracket, colon
        /// `$W5`, `$PRE3`, `$WS`, `$SEN`, `$PARA`, `$FREQ2`: name upper-cased, number if any.
        case dollar(name: String, number: Int?, text: String)
        case end
    }

    let kind: Kind
    let position: Int
    /// An unquoted AND/OR/NOT/TO, upper-cased (case-insensitive in queries).
    let keyword: String?

    init(kind: Kind, position: Int) {
        self.kind = kind
        self.position = position
        if case .word(let w) = kind, w.utf8.count <= 3 {
            let upper = w.uppercased()
            keyword = upper == "AND" || upper == "OR" || upper == "NOT" || upper == "TO" ? upper : nil
        } else {
            keyword = nil
        }
    }

    /// The token as the user wrote it, for messages.
    var display: String {
        switch kind {
        case .word(let w): return w
        case .field(let f): return f + ":"
        case .phrase(let p): return "\"\(p)\""
        case .open: return "("
        case .close: return ")"
        case .openBracket: return "["
        case .closeBracket: return "]"
        case .colon: return ":"
        case .dollar(_, _, let text): return text
        case .end: return "end of query"
        }
    }

}

struct Lexer {
    private let scalars: [Unicode.Scalar]
    /// UTF-8 bytes of the text and, per code point, where it starts in them.
    private let bytes: [UInt8]
    private let offsets: [Int]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        bytes = Array(text.utf8)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        self.offsets = offsets
    }

    /// The text of code points `start..<end`.
    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[offsets[start]..<offsets[end]], as: UTF8.self)
    }

    var length: Int { scalars.count }

    mutating func next() throws(QueryError) -> Token {
        while index < scalars.count, Self.isSpace(scalars[index]) { index += 1 }
        guard index < scalars.count else { return Token(kind: .end, position: scalars.count + 1) }
        let start = index
        let c = scalars[index]
        switch c {
        case "(": index += 1; return Token(kind: .open, position: start + 1)
        case ")": index += 1; return Token(kind: .close, position: start + 1)
        case "[": index += 1; return Token(kind: .openBracket, position: start + 1)
        case "]": index += 1; return Token(kind: .closeBracket, position: start + 1)
        case ":": index += 1; return Token(kind: .colon, position: start + 1)
        case "\"", "\u{201C}", "\u{201D}":
            index += 1
            let contentStart = index
            while index < scalars.count, !Self.isQuote(scalars[index]) { index += 1 }
            guard index < scalars.count else { throw QueryError("unbalanced '\"' opened", at: start + 1) }
            let content = text(contentStart, index)
            index += 1
            return Token(kind: .phrase(content), position: start + 1)
        case "$":
            index += 1
            var name = ""
            while index < scalars.count, scalars[index].properties.isAlphabetic, scalars[index].isASCII {
                name.unicodeScalars.append(scalars[index])
                index += 1
            }
            var digits = ""
            while index < scalars.count, let v = scalars[index].properties.numericType, v == .decimal, scalars[index].isASCII {
                digits.unicodeScalars.append(scalars[index])
                index += 1
            }
            let text = self.text(start, index)
            let number = digits.isEmpty ? nil : (digits.count > 4 ? Int.max : Int(digits))
            return Token(kind: .dollar(name: name.uppercased(), number: number, text: text), position: start + 1)
        default:
            while index < scalars.count, !Self.endsWord(scalars[index]) { index += 1 }
            let word = text(start, index)
            if index < scalars.count, scalars[index] == ":" {
                index += 1
                return Token(kind: .field(word), position: start + 1)
            }
            return Token(kind: .word(word), position: start + 1)
        }
    }

    private static func isQuote(_ c: Unicode.Scalar) -> Bool { c == "\"" || c == "\u{201C}" || c == "\u{201D}" }

    @inline(__always)
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x80 ? c == " " || (c.value >= 0x09 && c.value <= 0x0D) : c.properties.isWhitespace
    }

    private static func endsWord(_ c: Unicode.Scalar) -> Bool {
        if c.value >= 0x80 { return c.properties.isWhitespace || isQuote(c) }
        return isSpace(c) || c == "(" || c == ")" || c == "[" || c == "]" || c == ":" || c == "$" || isQuote(c)
    }
}
