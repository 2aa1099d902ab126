import Foundation
import PatentCorpus
import PatentImport
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

@Suite("Synthetic corpus generator")
struct CorpusGeneratorTests {
    static let model: CorpusModel = {
        let store = try! PatentStore(directory: try! temporaryDirectory("corpus-model"))
        _ = try! Importer(store: store).run(paths: [fixtures])
        return try! CorpusModel.learn(from: store)
    }()

    @Test("the model learns vocabulary, sizes, offices and classes from the real patents")
    func learning() {
        let model = Self.model
        #expect(model.words.count > 1_000)
        #expect(model.words[0].1 >= model.words[100].1)
        #expect(model.offices.contains { $0.0 == "US" })
        #expect(!model.ipc.isEmpty && !model.cpc.isEmpty)
        #expect(model.claimCounts.count > 20)
    }

    @Test("the same seed gives the same documents; another seed others")
    func deterministic() {
        var a = CorpusGenerator(model: Self.model, seed: 42)
        var b = CorpusGenerator(model: Self.model, seed: 42)
        var c = CorpusGenerator(model: Self.model, seed: 43)
        let first = (0..<20).map { _ in MARECWriter.document(a.next()) }
        #expect(first == (0..<20).map { _ in MARECWriter.document(b.next()) })
        #expect(first != (0..<20).map { _ in MARECWriter.document(c.next()) })
    }

    @Test("generated documents import unchanged and form families")
    func roundTrip() throws {
        var generator = CorpusGenerator(model: Self.model, seed: 3)
        let patents = (0..<200).map { _ in generator.next() }
        let folder = try temporaryDirectory("corpus")
        try Data(patents.map(MARECWriter.document).joined().utf8).write(to: URL(fileURLWithPath: folder + "/bundle.xml"))
        let store = try PatentStore(directory: try temporaryDirectory("corpus-store"))
        let report = try Importer(store: store).run(paths: [folder])
        #expect(report.skipped.isEmpty)
        #expect(report.inserted == 200)
        let original = patents[17]
        let stored = try #require(try store.patent(original.pn))
        #expect(stored.titles == original.titles)
        #expect(stored.claims.first?.claims.map(\.text) == original.claims.first?.claims.map(\.text))
        #expect(stored.claims.first?.claims.map(\.refersTo) == original.claims.first?.claims.map(\.refersTo))
        #expect(stored.ipc == original.ipc)
        #expect(stored.cpc == original.cpc)
        #expect(stored.priorities.map(\.key) == original.priorities.map(\.key))
        let stats = try store.statistics()
        #expect((stats.families["INPADOC"]?.largest ?? 0) > 1)
        #expect((stats.families["INPADOC"]?.count ?? 0) < 200)
    }
}
