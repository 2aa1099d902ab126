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

/// Analysis of QUERY.md §1, the same at index and query time:
/// 1. NFKC, then full case folding;
/// 2. paragraphs: each given paragraph, and in plain text every line break
///    (`\r\n`, `\n`, `\r`, U+0085, U+2028, U+2029);
/// 3. sentences: a `.` followed by whitespace or the paragraph end, every `。`;
/// 4. tokens: maximal runs of letters, combining marks and decimal digits, except that
///    every Han ideograph, Hiragana, Katakana and Hangul syllable is a token of its own;
/// 5. positions across the whole value.
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
        var tokens: [AnalyzedToken] = []
        var sentence = 0
        var paragraph = 0
        for text in paragraphs {
            let normalised = normalise(text)
            let lines = linesStartParagraphs ? splitLines(normalised) : [Substring(normalised).unicodeScalars]
            for line in lines {
                let before = tokens.count
                var sentenceOpen = false
                tokenize(line, paragraph: paragraph, sentence: &sentence, sentenceOpen: &sentenceOpen, into: &tokens)
                // The end of a paragraph ends its last sentence.
                if sentenceOpen { sentence += 1 }
                if tokens.count > before { paragraph += 1 }
            }
        }
        return tokens
    }

    /// A single string as one value; line breaks start paragraphs.
    public static func analyze(_ text: String) -> [AnalyzedToken] { analyze(paragraphs: [text]) }

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

    private static func tokenize(_ line: Substring.UnicodeScalarView, paragraph: Int, sentence: inout Int,
                                 sentenceOpen sentenceHasTokens: inout Bool, into tokens: inout [AnalyzedToken]) {
        var current = String.UnicodeScalarView()
        var latin = true
        func flush() {
            guard !current.isEmpty else { return }
            tokens.append(AnalyzedToken(text: String(current), position: tokens.count, sentence: sentence,
                                        paragraph: paragraph, isLatin: latin))
            sentenceHasTokens = true
            current = String.UnicodeScalarView()
            latin = true
        }
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let next = line.index(after: i)
            switch CharacterClass(c) {
            case .standalone:
                flush()
                current.append(c)
                latin = false
                flush()
            case .word(let isLatin):
                current.append(c)
                latin = latin && isLatin
            case .separator:
                flush()
                let endsSentence = c == "。" || (c == "." && (next == line.endIndex || line[next].properties.isWhitespace))
                if endsSentence && sentenceHasTokens {
                    sentence += 1
                    sentenceHasTokens = false
                }
            }
            i = next
        }
        flush()
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
