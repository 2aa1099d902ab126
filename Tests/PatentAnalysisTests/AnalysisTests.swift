import Foundation
import PatentTestSupport
import Testing
@testable import PatentAnalysis

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

@Suite("Text analysis (QUERY.md §1)")
struct AnalysisTests {
    func texts(_ text: String) -> [String] { TextAnalyzer.analyze(text).map(\.text) }

    @Test("NFKC and full case folding")
    func normalisation() {
        #expect(TextAnalyzer.normalise("Straße ＡＢＣ ﬁ") == "strasse abc fi")
        #expect(TextAnalyzer.normalise("LITHIUM-Ion") == "lithium-ion")
        #expect(texts("ＬＩＴＨＩＵＭ") == ["lithium"])
    }

    @Test("tokens: letter/mark/digit runs; CJK characters alone")
    func tokens() {
        #expect(texts("lithium-ion") == ["lithium", "ion"])
        #expect(texts("3.5V") == ["3", "5v"])
        #expect(texts("太阳能电池") == ["太", "阳", "能", "电", "池"])
        #expect(texts("リチウムイオン電池") == ["リ", "チ", "ウ", "ム", "イ", "オ", "ン", "電", "池"])
        #expect(texts("배터리 cell") == ["배", "터", "리", "cell"])
        #expect(texts("H2O, naïve café!") == ["h2o", "naïve", "café"])
        #expect(texts("e\u{301}tude") == ["étude"])
    }

    @Test("positions run across paragraphs; sentences and paragraphs are numbered")
    func structure() {
        let tokens = TextAnalyzer.analyze(paragraphs: ["A car. It has 3.5 V", "Second paragraph。第二句"])
        #expect(tokens.map(\.text) == ["a", "car", "it", "has", "3", "5", "v", "second", "paragraph", "第", "二", "句"])
        #expect(tokens.map(\.position) == Array(0..<12))
        #expect(tokens.map(\.sentence) == [0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3])
        #expect(tokens.map(\.paragraph) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    }

    @Test("every line break of plain text starts a paragraph", arguments: ["\r\n", "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"])
    func lineBreaks(separator: String) {
        let tokens = TextAnalyzer.analyze("one" + separator + "two")
        #expect(tokens.map(\.paragraph) == [0, 1])
        #expect(tokens.map(\.sentence) == [0, 1])
    }

    @Test("a full stop ends a sentence only before whitespace or the paragraph end")
    func sentences() {
        #expect(TextAnalyzer.analyze("version 2.5 works. next").map(\.sentence) == [0, 0, 0, 0, 1])
        #expect(TextAnalyzer.analyze("end.").map(\.sentence) == [0])
    }

    @Test("wildcard words split like text; next to CJK a wildcard is its own piece")
    func wildcardPieces() {
        #expect(TextAnalyzer.wildcardPieces("lithium-ion*") == ["lithium", "ion*"])
        #expect(TextAnalyzer.wildcardPieces("电*") == ["电", "*"])
        #expect(TextAnalyzer.wildcardPieces("电*car") == ["电", "*", "car"])
        #expect(TextAnalyzer.wildcardPieces("*电") == ["*", "电"])
        #expect(TextAnalyzer.wildcardPieces("电 *car") == ["电", "*car"])
        #expect(TextAnalyzer.wildcardPieces("C#R?") == ["c#r?"])
    }

    @Test("only Latin-letter tokens are stemmed; irregular forms map to their base first")
    func stemming() {
        let tokens = TextAnalyzer.analyze("Batteries came 5v h2o mice went led 电")
        #expect(tokens.map { Stemming.stem($0) } == ["batteri", "come", nil, nil, "mous", "go", "led", nil])
        #expect(IrregularForms.base["went"] == "go")
        #expect(IrregularForms.base["led"] == nil)
        #expect(IrregularForms.base.count > 200)
    }

    @Test("Porter2 agrees with the reference on every distinct Latin word of the corpus")
    func porter2Reference() throws {
        let text = try String(contentsOfFile: fixtures + "/porter2-reference.tsv", encoding: .utf8)
        var checked = 0
        var mismatches: [String] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            checked += 1
            let stem = EnglishStemmer.stem(String(parts[0]))
            if stem != parts[1] { mismatches.append("\(parts[0]): \(stem) ≠ \(parts[1])") }
        }
        #expect(checked > 100_000)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }
}

@Suite("Text analysis: the ASCII byte path")
struct ASCIIPathTests {
    /// Random ASCII built from the characters analysis treats specially (letters, digits,
    /// full stops, every whitespace and line break, punctuation) gives the same tokens,
    /// sentences and paragraphs on the byte path as on the code-point path.
    @Test("the byte path and the code-point path give the same tokens", arguments: [true, false])
    func bytePathAgrees(linesStartParagraphs: Bool) {
        let texts = randomStrings(6_000, from: "aZz09. .\t\n\r\r\n\u{0B}\u{0C}-,;:!?()x", maxLength: 40, seed: linesStartParagraphs ? 7 : 8)
        for k in stride(from: 0, to: texts.count, by: 3) {
            let paragraphs = Array(texts[k..<(k + 1 + (k / 3) % 3)])
            let fast = TextAnalyzer.tokens(paragraphs: paragraphs, linesStartParagraphs: linesStartParagraphs, asciiPath: true)
            let slow = TextAnalyzer.tokens(paragraphs: paragraphs, linesStartParagraphs: linesStartParagraphs, asciiPath: false)
            #expect(fast == slow, "\(paragraphs)")
        }
    }
}
