import Foundation
import PatentImport
import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentSearch

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path


/// The fixture corpus imported and indexed once for all search tests.
final class FixtureIndex: Sendable {
    static let shared: FixtureIndex = try! FixtureIndex()

    let data: String
    let store: PatentStore
    let snapshot: IndexSnapshot
    let searcher: Searcher
    let documents: [IndexDocument]

    private init() throws {
        data = try temporaryDirectory("search-fixtures")
        store = try PatentStore(directory: data)
        _ = try Importer(store: store).run(paths: [fixtures])
        let index = (data as NSString).appendingPathComponent("index")
        // Two commits, so the index has two segments and a deletion to honour: the
        // hand truck patent is changed after the first one.
        try IndexUpdater(store: store, directory: index).update()
        var changed = try store.patent("US11147202B2")!
        changed.titles.append(LocalizedText(language: "de", text: "Sackkarre mit Rädern"))
        try store.upsert([changed])
        try IndexUpdater(store: store, directory: index).update()
        snapshot = try IndexSnapshot.open(directory: index)
        searcher = Searcher(snapshot: snapshot)
        documents = try store.changes(after: 0, limit: 10_000).map {
            IndexDocument($0.patent, families: IndexUpdater.familyIDs($0.families))
        }
    }

    func matches(_ query: String, stemming: Bool = false) throws -> Set<String> {
        try searcher.matchingPublications(query, stemming: stemming)
    }
}
