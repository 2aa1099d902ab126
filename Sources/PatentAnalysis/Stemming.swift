import Foundation

/// Stemming of QUERY.md §1.6: irregular forms are first mapped to their base with the
/// project's copy of `irregular-forms.tsv` (came → come, mice → mouse), then the
/// Porter2 stem is taken. Only tokens made of Latin letters are stemmed.
public enum Stemming {
    /// The stem a token is indexed and searched under when stemming is on.
    public static func stem(_ token: AnalyzedToken) -> String? {
        token.isLatin ? stem(token.text) : nil
    }

    /// The stem of a normalised Latin word.
    public static func stem(_ word: String) -> String {
        EnglishStemmer.stem(IrregularForms.base[word] ?? word)
    }
}

public enum IrregularForms {
    /// form → base, from `Resources/irregular-forms.tsv` (a copy of the spec's table).
    public static let base: [String: String] = {
        guard let url = Bundle.module.url(forResource: "irregular-forms", withExtension: "tsv"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("irregular-forms.tsv is missing from the PatentAnalysis resources")
        }
        return parse(text)
    }()

    /// `form<TAB>base` lines; `#` starts a comment.
    static func parse(_ text: String) -> [String: String] {
        var table: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.prefix { $0 != "#" }
            let parts = content.split(separator: "\t").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { continue }
            table[parts[0]] = parts[1]
        }
        return table
    }
}
