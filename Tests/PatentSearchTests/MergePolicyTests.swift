import Foundation
import PatentAnalysis
@testable import PatentIndex
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Tiered merging: which segments, and merges that run while commits go on.
@Suite("Tiered merges")
struct MergePolicyTests {
    func entries(_ sizes: [Int], deleted: Int = 0) -> [IndexManifest.SegmentEntry] {
        sizes.enumerated().map { IndexManifest.SegmentEntry(id: $0.offset + 1, documents: $0.element, deletions: nil, deleted: deleted) }
    }

    @Test("a tier is merged when it holds segmentsPerTier segments; live documents decide the tier")
    func policy() {
        let policy = TieredMergePolicy(segmentsPerTier: 10, smallest: 10_000)
        #expect(policy.merge(entries(Array(repeating: 5_000, count: 10))) == Array(1...10))
        #expect(policy.merge(entries(Array(repeating: 5_000, count: 9) + [150_000])) == nil, "9 in tier 0, one in tier 1")
        #expect(policy.merge(entries(Array(repeating: 5_000, count: 12))) == Array(1...10), "the first ten")
        #expect(policy.merge(entries(Array(repeating: 120_000, count: 10) + [1, 2])) == Array(1...10))
        #expect(policy.merge(entries(Array(repeating: 120_000, count: 10), deleted: 30_000)) == Array(1...10),
                "90,000 live documents: tier 0")
        #expect(policy.tier(99_999) == 0 && policy.tier(100_000) == 1 && policy.tier(1_000_000) == 2 && policy.tier(.max) == 30)
    }

    func document(_ pn: String, title: String) -> IndexDocument {
        var document = IndexDocument(pn: pn)
        var tokens = TextAnalyzer.tokens(paragraphs: [title], linesStartParagraphs: false)
        if tokens.isEmpty { tokens = TextAnalyzer.tokens(paragraphs: ["empty"]) }
        document.values[.title] = [tokens]
        document.keywords[.publicationNumber] = [pn]
        return document
    }

    /// A merge in the background while commits replace and remove documents of its
    /// inputs: the published generation has each publication once, as last written.
    @Test("commits made while a merge runs are kept: documents replaced or removed meanwhile stay gone")
    func commitsDuringAMerge() throws {
        let directory = try temporaryDirectory("background-merge")
        let writer = try IndexWriter(directory: directory)
        var titles: [String: String] = [:]
        for commit in 0..<6 {
            for k in 0..<5 {
                let pn = "US\(commit * 5 + k + 1)B2"
                titles[pn] = "battery cell \(commit) \(k)"
                writer.update(document(pn, title: titles[pn]!))
            }
            try writer.commit()
        }
        let policy = TieredMergePolicy(segmentsPerTier: 4, smallest: 1)
        try writer.startMerge(policy)
        #expect(writer.runningMerge != nil, "four one-tier segments of six")
        // Replace a document of a merging segment, remove another, add a new one.
        titles["US1B2"] = "solar panel"
        writer.update(document("US1B2", title: "solar panel"))
        titles["US7B2"] = nil
        writer.remove("US7B2")
        titles["US99B2"] = "fuel cell"
        writer.update(document("US99B2", title: "fuel cell"))
        try writer.commit()
        try writer.finishMerge(wait: true)
        #expect(writer.runningMerge == nil)
        let snapshot = try IndexSnapshot.open(directory: directory)
        #expect(snapshot.segments.count == 4, "four merged into one, two untouched, one new: \(snapshot.manifest.segments.map(\.id))")
        #expect(snapshot.liveDocuments == titles.count)
        let searcher = Searcher(snapshot: snapshot)
        #expect(try searcher.matchingPublications("TTL:solar") == ["US1B2"])
        #expect(try searcher.matchingPublications("TTL:battery") == Set(titles.filter { $0.value.hasPrefix("battery") }.keys))
        #expect(try searcher.matchingPublications("TTL:fuel") == ["US99B2"])
        for pn in titles.keys { #expect(snapshot.locate(pn) != nil, "\(pn)") }
        #expect(snapshot.locate("US7B2") == nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let manifest = snapshot.manifest
        #expect(files.allSatisfy { manifest.files.contains($0) }, "nothing left over: \(files.sorted())")

        // Four more small commits fill the lowest tier again; the end of a build merges it.
        for k in 0..<4 {
            titles["US\(200 + k)B2"] = "cell \(k)"
            writer.update(document("US\(200 + k)B2", title: "cell \(k)"))
            try writer.commit()
        }
        try writer.mergeTiers(policy)
        #expect(policy.merge(writer.manifest.segments) == nil, "no tier left full")
        #expect(try IndexSnapshot.open(directory: directory).segments.count < 8)
        #expect(try Searcher(snapshot: IndexSnapshot.open(directory: directory)).matchingPublications("TTL:cell")
                == Set(titles.filter { $0.value.contains("cell") }.keys))
    }
}
