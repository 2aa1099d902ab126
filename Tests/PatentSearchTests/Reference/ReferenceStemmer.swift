import Foundation
import PatentTestSupport

/// Stems for the reference evaluator (QUERY.md §1.6): the irregular-forms table, then the
/// Snowball English stemmer of PyPI's `snowballstemmer` — the reference implementation,
/// not the engine's Porter2. Every word is stemmed in one Python run.
struct ReferenceStemmer {
    private var stems: [String: String] = [:]
    private let irregular: [String: String]

    init() throws {
        let table = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PatentAnalysis/Resources/irregular-forms.tsv")
        var irregular: [String: String] = [:]
        for line in try String(contentsOf: table, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { irregular[String(parts[0])] = String(parts[1]) }
        }
        self.irregular = irregular
    }

    /// Stems every Latin word of `words` not stemmed yet.
    mutating func learn(_ words: [String]) throws {
        let new = Set(words.filter { stems[$0] == nil && ReferenceText.isLatin($0) }.map { irregular[$0] ?? $0 })
            .filter { stems[$0] == nil }.sorted()
        if !new.isEmpty {
            let program = """
                import sys, snowballstemmer
                words = sys.stdin.read().split("\\n")
                sys.stdout.write("\\n".join(snowballstemmer.stemmer("english").stemWords(words)))
                """
            let output = try runPython(program, input: Data(new.joined(separator: "\n").utf8))
            let stemmed = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            guard stemmed.count == new.count else { throw CocoaError(.fileReadCorruptFile) }
            for (word, stem) in zip(new, stemmed) { stems[word] = String(stem) }
        }
        for word in words where stems[word] == nil && ReferenceText.isLatin(word) {
            stems[word] = stems[irregular[word] ?? word]
        }
    }

    /// The stem of a Latin token learned before; nil for any other token.
    func stem(_ token: String) -> String? { stems[token] }
}
