import Foundation

/// The reference evaluator's text analysis, written from QUERY.md §1 and §8 alone. It
/// shares no code with `PatentAnalysis`, `PatentIndex` or `PatentSearch`: a bug in the
/// engine's analysis shows up as a difference, not as the same wrong answer twice.
/// Clarity over speed; the corpus it reads is small.
enum ReferenceText {
    struct Token: Equatable {
        var text: String
        var position: Int
        var sentence: Int
        var paragraph: Int
    }

    /// §1.1: NFKC, then full case folding.
    static func normalise(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
    }

    /// §8: the characters that start a new paragraph in plain text.
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// §1.4: Han ideographs, Hiragana, Katakana and Hangul syllables are tokens on their own.
    static func standsAlone(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F: return true   // Han
        case 0x3041...0x309F: return true                                                      // Hiragana
        case 0x30A0...0x30FF, 0x31F0...0x31FF: return true                                     // Katakana
        case 0xAC00...0xD7A3: return true                                                      // Hangul syllables
        default: return false
        }
    }

    /// §1.4: letters (L*), combining marks (M*) and decimal digits (Nd) make tokens.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber: return true
        default: return false
        }
    }

    /// §1.6: a token is stemmed only when every code point is a Latin letter.
    static func isLatin(_ token: String) -> Bool {
        token.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && ($0.properties.name?.contains("LATIN") ?? false) }
    }

    /// A field value given as its paragraphs (§1.2, §1.3, §1.5). `splitLines` is false
    /// for a title, which is always one paragraph (§8).
    static func tokens(paragraphs: [String], splitLines: Bool = true) -> [Token] {
        var out: [Token] = []
        var sentence = 0
        var paragraph = 0
        for text in paragraphs {
            let pieces: [String]
            if splitLines {
                pieces = normalise(text).unicodeScalars.split(omittingEmptySubsequences: false, whereSeparator: isLineBreak)
                    .map { String(String.UnicodeScalarView($0)) }
            } else {
                pieces = [normalise(text)]
            }
            for piece in pieces {
                let before = out.count
                scan(Array(piece.unicodeScalars), paragraph: paragraph, sentence: &sentence, into: &out)
                // The end of a paragraph ends its sentence; a paragraph without tokens is no paragraph.
                if out.count > before {
                    if out.last!.sentence == sentence { sentence += 1 }
                    paragraph += 1
                }
            }
        }
        return out
    }

    private static func scan(_ scalars: [Unicode.Scalar], paragraph: Int, sentence: inout Int, into out: inout [Token]) {
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            out.append(Token(text: word, position: out.count, sentence: sentence, paragraph: paragraph))
            word = ""
        }
        for (i, c) in scalars.enumerated() {
            if standsAlone(c) {
                flush()
                word = String(c)
                flush()
            } else if isWordCharacter(c) {
                word.unicodeScalars.append(c)
            } else {
                flush()
            }
            let endsSentence = c == "。"
                || (c == "." && (i + 1 == scalars.count || scalars[i + 1].properties.isWhitespace))
            // A sentence is counted only once it holds a token.
            if endsSentence, out.last?.sentence == sentence, out.last?.paragraph == paragraph { sentence += 1 }
        }
        flush()
    }

    /// §3 and §8: a wildcard word is split like text with `* ? #` kept as letters; next to
    /// a character that stands alone the wildcard is its own piece.
    static func wildcardPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var word = ""
        for c in normalise(text).unicodeScalars {
            if standsAlone(c) {
                if !word.isEmpty { pieces.append(word) }
                pieces.append(String(c))
                word = ""
            } else if isWordCharacter(c) || c == "*" || c == "?" || c == "#" {
                word.unicodeScalars.append(c)
            } else if !word.isEmpty {
                pieces.append(word)
                word = ""
            }
        }
        if !word.isEmpty { pieces.append(word) }
        return pieces
    }

    static func hasWildcard(_ piece: String) -> Bool { piece.contains { $0 == "*" || $0 == "?" || $0 == "#" } }

    /// `*` any run, `?` exactly one code point, `#` zero or one (§3).
    static func glob(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        // reachable[j]: the pattern so far can end having consumed j code points.
        var reachable = [Bool](repeating: false, count: text.count + 1)
        reachable[0] = true
        for p in pattern {
            var next = [Bool](repeating: false, count: text.count + 1)
            for j in 0...text.count where reachable[j] {
                switch p {
                case "*": for k in j...text.count { next[k] = true }
                case "?": if j < text.count { next[j + 1] = true }
                case "#": next[j] = true; if j < text.count { next[j + 1] = true }
                default: if j < text.count, text[j] == p { next[j + 1] = true }
                }
            }
            reachable = next
        }
        return reachable[text.count]
    }
}
