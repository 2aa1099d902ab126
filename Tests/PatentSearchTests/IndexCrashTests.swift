import Foundation
import PatentImport
import PatentModel
import PatentIndex
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentSearch

/// `kill -9` while `patents index` runs: the index must open afterwards and answer with
/// the previous or the new generation, never an error.
@Suite("Index crash safety")
struct IndexCrashTests {
    @Test("SIGKILL at random moments during indexing, 24 times", .enabled(if: FileManager.default.isExecutableFile(atPath: builtPatentsBinary)))
    func killDuringIndexing() throws {
        let data = try temporaryDirectory("index-crash")
        let store = try PatentStore(directory: data)
        _ = try Importer(store: store).run(paths: [fixtures])
        let index = (data as NSString).appendingPathComponent("index")
        let full = Set(FixtureIndex.shared.documents.map(\.pn))
        var sawOld = 0, sawNew = 0
        for round in 0..<24 {
            // Every round changes every patent, so a complete run writes a new generation.
            let before = try IndexSnapshot.open(directory: index).generation
            var changed: [PatentModelPatent] = []
            for pn in full.sorted() {
                var patent = try store.patent(pn)!
                patent.otherClassifications.append(.init(scheme: "round", code: "\(round)"))
                changed.append(patent)
            }
            try store.upsert(changed)
            try runPatentsAndKill(["index", "--data", data], pause: 20_000...1_200_000)

            let snapshot = try IndexSnapshot.open(directory: index)
            #expect(snapshot.generation >= before)
            if snapshot.generation == before { sawOld += 1 } else { sawNew += 1 }
            let searcher = Searcher(snapshot: snapshot)
            let everything = try searcher.matchingPublications("PBD:[* TO *] OR NOT PBD:[* TO *]")
            // The previous generation holds everything indexed before; a new one the same set.
            if snapshot.generation > 0 { #expect(everything == full, "round \(round)") }
            #expect(try searcher.matchingPublications("TTL:truck").isSubset(of: full))
        }
        // Finish the job: a complete run brings the index up to date.
        try IndexUpdater(store: store, directory: index).update()
        let final = try IndexSnapshot.open(directory: index)
        #expect(final.manifest.storeRevision == (try store.currentRevision()))
        #expect(try Searcher(snapshot: final).matchingPublications("PBD:[* TO *] OR NOT PBD:[* TO *]") == full)
        #expect(sawOld + sawNew == 24)
        try? FileManager.default.removeItem(atPath: data)
    }
}

typealias PatentModelPatent = PatentModel.Patent
