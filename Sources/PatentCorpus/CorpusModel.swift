/// PatentCorpus: a realistic synthetic corpus for benchmarks and scale tests, learned
/// from the real patents in a store (vocabulary and word frequencies, text sizes,
/// offices, kinds, dates, classes, parties) and written in an import format (MAREC
/// `patent-document`). Deterministic for a seed; never mixed into real data.
import PatentAnalysis
import PatentModel
import PatentStore

/// What the generator draws from: frequencies and sizes observed in real patents.
public struct CorpusModel: Sendable {
    /// Words with their corpus counts, most frequent first (Zipf-like).
    public var words: [(String, Int)] = []
    public var titleLengths: [Int] = []
    public var abstractSentences: [Int] = []
    public var sentenceLengths: [Int] = []
    public var claimCounts: [Int] = []
    public var descriptionParagraphs: [Int] = []
    public var paragraphSentences: [Int] = []
    public var offices: [(String, Int)] = []
    public var kinds: [String: [(String, Int)]] = [:]
    public var ipc: [String] = []
    public var cpc: [String] = []
    public var assignees: [String] = []
    public var inventors: [String] = []

    public init() {}

    /// Learns from every patent in a store (at most `limit`).
    public static func learn(from store: PatentStore, limit: Int = 50_000) throws -> CorpusModel {
        var model = CorpusModel()
        var counts: [String: Int] = [:]
        var offices: [String: Int] = [:]
        var kinds: [String: [String: Int]] = [:]
        var ipc = Set<String>(), cpc = Set<String>(), assignees = Set<String>(), inventors = Set<String>()
        var revision = 0
        var seen = 0
        while seen < limit {
            let page = try store.changes(after: revision, limit: 500)
            guard let last = page.last else { break }
            revision = last.revision
            for stored in page {
                seen += 1
                let patent = stored.patent
                offices[patent.publication.office, default: 0] += 1
                kinds[patent.publication.office, default: [:]][patent.publication.kind, default: 0] += 1
                ipc.formUnion(patent.ipc)
                cpc.formUnion(patent.cpc)
                assignees.formUnion((patent.assignees + patent.applicants).map(\.name))
                inventors.formUnion(patent.inventors.map(\.name))
                guard patent.resolvedOriginalLanguage == "en" else { continue }
                if let title = patent.titles.first(where: { $0.language == "en" }) {
                    model.titleLengths.append(TextAnalyzer.analyze(title.text).count)
                }
                for abstract in patent.abstracts where abstract.language == "en" {
                    let tokens = TextAnalyzer.analyze(paragraphs: abstract.paragraphs)
                    model.abstractSentences.append((tokens.last?.sentence ?? 0) + 1)
                }
                for claims in patent.claims where claims.language == "en" { model.claimCounts.append(claims.claims.count) }
                for description in patent.descriptions where description.language == "en" {
                    model.descriptionParagraphs.append(description.paragraphs.count)
                    for paragraph in description.paragraphs.prefix(50) {
                        let tokens = TextAnalyzer.analyze(paragraph.text)
                        for token in tokens where token.isLatin { counts[token.text, default: 0] += 1 }
                        let sentences = Dictionary(grouping: tokens, by: \.sentence)
                        model.paragraphSentences.append(max(1, sentences.count))
                        for sentence in sentences.values { model.sentenceLengths.append(sentence.count) }
                    }
                }
            }
        }
        model.words = counts.filter { $0.value >= 2 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        model.offices = offices.sorted { $0.key < $1.key }
        model.kinds = kinds.mapValues { $0.sorted { $0.key < $1.key } }
        model.ipc = ipc.sorted()
        model.cpc = cpc.sorted()
        model.assignees = assignees.sorted()
        model.inventors = inventors.sorted()
        for key in [\CorpusModel.titleLengths, \.abstractSentences, \.sentenceLengths, \.claimCounts,
                    \.descriptionParagraphs, \.paragraphSentences] {
            model[keyPath: key].sort()
            if model[keyPath: key].isEmpty { model[keyPath: key] = [5] }
        }
        return model
    }
}
