import Foundation

/// One token of an analysed field value (QUERY.md §1).
public struct AnalyzedToken: Equatable, Sendable {
    /// The normalised token text (NFKC, case-folded).
    public var text: String
    /// 0, 1, 2, … across the whole field value.
    public var position: Int
    /// Sentence and paragraph numbers, counted from 0 across the value.
    public var sentence: Int
    public var paragraph: Int
    /// True when every code point is a Latin letter: only such tokens are stemmed.
    public var isLatin: Bool

    public init(text: String, position: Int, sentence: Int, paragraph: Int, isLatin: Bool) {
        self.text = text
        self.position = position
        self.sentence = sentence
        self.paragraph = paragraph
        self.isLatin = isLatin
    }
}

/// The tokens of one field value as the indexer takes them: their texts back to back in
/// one byte buffer (no String per token), with sentence, paragraph and Latin flag.
/// Positions are the indices.
public struct TokenList: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        /// Where the token's text ends in `text` (it starts where the previous one ends).
        public var end: Int32
        public var sentence: Int32
        public var paragraph: Int32
        public var isLatin: Bool
    }

    public private(set) var text: [UInt8] = []
    public private(set) var tokens: [Token] = []

    public init() {}

    public var count: Int { tokens.count }
    public var isEmpty: Bool { tokens.isEmpty }

    /// The byte range of token `i`'s text.
    @inline(__always)
    public func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(tokens[i - 1].end))..<Int(tokens[i].end) }

    /// The tokens as values (text as a String).
    public var analyzed: [AnalyzedToken] {
        tokens.indices.map { i in
            AnalyzedToken(text: String(decoding: text[range(i)], as: UTF8.self), position: i, sentence: Int(tokens[i].sentence),
                          paragraph: Int(tokens[i].paragraph), isLatin: tokens[i].isLatin)
        }
    }

    /// The text of a token being written: bytes appended since the last token ended.
    fileprivate var pendingBytes: Int { text.count - Int(tokens.last?.end ?? 0) }

    fileprivate mutating func appendByte(_ byte: UInt8) { text.append(byte) }

    fileprivate mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            text.append(UInt8(scalar.value))
        } else {
            for unit in UTF8.encode(scalar)! { text.append(unit) }
        }
    }

    /// Ends the pending token (if any bytes are pending); returns whether there was one.
    fileprivate mutating func endToken(sentence: Int, paragraph: Int, isLatin: Bool) -> Bool {
        guard pendingBytes > 0 else { return false }
        tokens.append(Token(end: Int32(text.count), sentence: Int32(sentence), paragraph: Int32(paragraph), isLatin: isLatin))
        return true
    }
}

/// Analysis of QUERY.md §1, the same at index and query time:
/// 1. NFKC, then full case folding;
/// 2. paragraphs: each given paragraph, and in plain text every line break
///    (`\r\n`, `\n`, `\r`, U+0085, U+2028, U+2029);
/// 3. sentences: a `.` followed by whitespace or the paragraph end, every `。`;
/// 4. tokens: maximal runs of letters, combining marks and decimal digits, except that
///    every Han ideograph, Hiragana, Katakana and Hangul syllable is a token of its own;
/// 5. positions across the whole value.
///
/// ASCII text (after normalisation) takes a byte-level path that gives the same tokens
/// as the code-point path (a test compares them).
public enum TextAnalyzer {
    /// NFKC and full case folding (`Straße` → `strasse`); ASCII takes a fast path.
    public static func normalise(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }, as: UTF8.self)
        }
        return text.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
    }

    /// Tokens of a field value given as paragraphs (each claim and each description
    /// paragraph one). `linesStartParagraphs` is false for a title, which is always one
    /// paragraph whatever line breaks it holds (QUERY.md §8).
    public static func analyze(paragraphs: [String], linesStartParagraphs: Bool = true) -> [AnalyzedToken] {
        tokens(paragraphs: paragraphs, linesStartParagraphs: linesStartParagraphs).analyzed
    }

    /// A single string as one value; line breaks start paragraphs.
    public static func analyze(_ text: String) -> [AnalyzedToken] { analyze(paragraphs: [text]) }

    /// The same tokens as a `TokenList`.
    public static func tokens(paragraphs: [String], linesStartParagraphs: Bool = true) -> TokenList {
        tokens(paragraphs: paragraphs, linesStartParagraphs: linesStartParagraphs, asciiPath: true)
    }

    /// `asciiPath: false` sends ASCII text through the code-point path too (for the test
    /// that the two agree).
    static func tokens(paragraphs: [String], linesStartParagraphs: Bool, asciiPath: Bool) -> TokenList {
        var state = State()
        for text in paragraphs {
            // ASCII is tokenised as it is (normalising it only lower-cases it).
            var raw = text
            let ascii = asciiPath ? raw.withUTF8 { bytes -> Bool in
                guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
                tokenizeASCII(bytes, linesStartParagraphs: linesStartParagraphs, state: &state)
                return true
            } : false
            if ascii { continue }
            let normalised = normalise(text)
            let lines = linesStartParagraphs ? splitLines(normalised) : [Substring(normalised).unicodeScalars]
            for line in lines {
                state.startLine()
                tokenize(line, state: &state)
                state.endLine()
            }
        }
        return state.list
    }

    /// Counters carried across lines and paragraphs while a value is tokenised.
    struct State {
        var list = TokenList()
        var sentence = 0
        var paragraph = 0
        var sentenceOpen = false
        var tokensAtLineStart = 0
        var latin = true

        mutating func startLine() {
            sentenceOpen = false
            tokensAtLineStart = list.count
        }

        /// The end of a paragraph ends its last sentence.
        mutating func endLine() {
            flush()
            if sentenceOpen { sentence += 1 }
            if list.count > tokensAtLineStart { paragraph += 1 }
        }

        @inline(__always)
        mutating func flush() {
            if list.endToken(sentence: sentence, paragraph: paragraph, isLatin: latin) { sentenceOpen = true }
            latin = true
        }

        mutating func endSentence() {
            if sentenceOpen {
                sentence += 1
                sentenceOpen = false
            }
        }
    }

    /// Whitespace among ASCII (Unicode White_Space): tab, line feed, vertical tab, form
    /// feed, carriage return, space.
    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// ASCII: words are runs of letters (lower-cased) and digits; `\n`, `\r` and `\r\n`
    /// end lines.
    static func tokenizeASCII(_ bytes: UnsafeBufferPointer<UInt8>, linesStartParagraphs: Bool, state: inout State) {
        state.startLine()
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c >= 0x61 && c <= 0x7A {
                state.list.appendByte(c)
            } else if c >= 0x41 && c <= 0x5A {
                state.list.appendByte(c + 32)
            } else if c >= 0x30 && c <= 0x39 {
                state.list.appendByte(c)
                state.latin = false
            } else {
                state.flush()
                if linesStartParagraphs && (c == 0x0A || c == 0x0D) {
                    state.endLine()
                    if c == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                    state.startLine()
                } else if c == 0x2E, i + 1 == bytes.count || isASCIIWhitespace(bytes[i + 1]) {
                    state.endSentence()
                }
            }
            i += 1
        }
        state.endLine()
    }

    static func splitLines(_ text: String) -> [Substring.UnicodeScalarView] {
        let scalars = text.unicodeScalars
        var lines: [Substring.UnicodeScalarView] = []
        var start = scalars.startIndex
        var i = start
        while i < scalars.endIndex {
            let c = scalars[i]
            if c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                lines.append(scalars[start..<i])
                i = scalars.index(after: i)
                if c == "\r", i < scalars.endIndex, scalars[i] == "\n" { i = scalars.index(after: i) }
                start = i
            } else {
                i = scalars.index(after: i)
            }
        }
        lines.append(scalars[start..<scalars.endIndex])
        return lines
    }

    private static func tokenize(_ line: Substring.UnicodeScalarView, state: inout State) {
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let next = line.index(after: i)
            switch CharacterClass(c) {
            case .standalone:
                state.flush()
                state.list.append(c)
                state.latin = false
                state.flush()
            case .word(let isLatin):
                state.list.append(c)
                state.latin = state.latin && isLatin
            case .separator:
                state.flush()
                if c == "。" || (c == "." && (next == line.endIndex || line[next].properties.isWhitespace)) {
                    state.endSentence()
                }
            }
            i = next
        }
    }
}

/// How a code point takes part in tokens.
enum CharacterClass {
    case word(isLatin: Bool)
    case standalone
    case separator

    init(_ c: Unicode.Scalar) {
        let v = c.value
        if v < 0x80 {
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) { self = .word(isLatin: true); return }
            if v >= 0x30 && v <= 0x39 { self = .word(isLatin: false); return }
            self = .separator
            return
        }
        if (0x3040...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v) || (0xAC00...0xD7AF).contains(v)
            || c.properties.isIdeographic {
            self = .standalone
            return
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .word(isLatin: CharacterClass.isLatinLetter(c))
        case .nonspacingMark, .spacingMark, .enclosingMark:
            self = .word(isLatin: false)
        case .decimalNumber:
            self = .word(isLatin: false)
        default:
            self = .separator
        }
    }

    /// Latin letters outside ASCII: their Unicode name says LATIN (é, ø, ß, …).
    static func isLatinLetter(_ c: Unicode.Scalar) -> Bool {
        if (0x00C0...0x024F).contains(c.value) { return c.value != 0xD7 && c.value != 0xF7 }
        return c.properties.name?.contains("LATIN") == true
    }
}

extension TextAnalyzer {
    /// The pieces of a wildcard word (QUERY.md §8): split like text, with `*`, `?` and `#`
    /// kept as letters; next to a CJK character a wildcard is a piece of its own.
    /// `lithium-ion*` → `lithium`, `ion*`; `电*` → `电`, `*`.
    public static func wildcardPieces(_ word: String) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        // True while `current` holds only wildcards written right after a CJK character.
        var wildcardsAfterCJK = false
        var previousWasCJK = false
        func flush() {
            if !current.isEmpty { pieces.append(String(current)) }
            current = String.UnicodeScalarView()
            wildcardsAfterCJK = false
        }
        for c in normalise(word).unicodeScalars {
            if c == "*" || c == "?" || c == "#" {
                if previousWasCJK { wildcardsAfterCJK = true }
                current.append(c)
                previousWasCJK = false
                continue
            }
            switch CharacterClass(c) {
            case .standalone:
                flush()
                pieces.append(String(c))
                previousWasCJK = true
            case .word:
                if wildcardsAfterCJK { flush() }
                current.append(c)
                previousWasCJK = false
            case .separator:
                flush()
                previousWasCJK = false
            }
        }
        flush()
        return pieces
    }
}
