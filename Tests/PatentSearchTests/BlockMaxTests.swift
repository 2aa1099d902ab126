import Foundation
import PatentIndex
import PatentIngest
import PatentCorpus
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Block-max for a lone term: full postings blocks whose score bound (the skip entry's
/// highest frequency and shortest length) is strictly below the k-th best score are jumped;
/// the answer is the one of scoring every document.
@Suite("Block-max")
struct BlockMaxTests {
    /// 600 titles holding `widget`: the first block's 128 say it three times in three words
    /// (the best score), the rest once in a long title — except one, far on, that equals the
    /// first block's and is published later, so it must come first although its block's
    /// bound only equals the k-th best score.
    @Test("blocks below the k-th best score are jumped; a block whose bound equals it is not")
    func constructedBlocks() throws {
        let directory = try temporaryDirectory("block-max")
        let writer = try IndexWriter(directory: directory)
        for i in 0..<600 {
            var patent = Patent(publication: PublicationNumber(office: "US", number: String(1_000 + i), kind: "A1")!)
            let best = i < 128 || i == 500
            patent.titles = [LocalizedText(language: "en", text: best ? "Widget widget widget"
                : "Widget holder with a hinged lid and a long list of other parts \(i)")]
            patent.publicationDate = PatentDate(i == 500 ? "20210101" : "20200101")
            writer.update(IndexDocument(patent))
        }
        try writer.commit()
        let searcher = Searcher(snapshot: try IndexSnapshot.open(directory: directory))
        var everything = SearchRequest(query: "TTL:widget")
        everything.rows = 600
        let full = try searcher.searchCountingSkips(everything)
        #expect(full.skippedBlocks == 0)
        var top = SearchRequest(query: "TTL:widget")
        top.rows = 5
        let pruned = try searcher.searchCountingSkips(top)
        // Blocks 1 and 2 hold long titles only; block 3 also holds US1500A1, whose score
        // equals the k-th best; the tail is not a block.
        #expect(pruned.skippedBlocks == 2)
        #expect(pruned.result.total == 600)
        #expect(pruned.result.hits == Array(full.result.hits.prefix(5)))
        #expect(pruned.result.hits.first?.pn == "US1500A1")
    }

    @Test("a lone term with few rows gives the hits, order and scores of scoring every match")
    func sameAnswerAsScoringEverything() throws {
        // 3,000 patents generated from the fixtures' vocabulary, in one segment without
        // deletions (block-max's case): common words hold many full blocks.
        let directory = try temporaryDirectory("block-max-generated")
        let writer = try IndexWriter(directory: directory)
        var generator = CorpusGenerator(model: try CorpusModel.learn(from: FixtureIndex.shared.store), seed: 14)
        generator.fullText = false
        for _ in 0..<3_000 { writer.update(IndexDocument(generator.next())) }
        try writer.commit()
        let searcher = Searcher(snapshot: try IndexSnapshot.open(directory: directory))
        #expect(searcher.snapshot.segments.count == 1 && searcher.snapshot.deletions[0].count == 0)
        var skipped = 0
        for word in ["method", "device", "system", "first", "least", "water", "layer", "signal", "the"] {
            for field in ["ABST", "TTL"] {
                for stemming in [false, true] {
                    var all = SearchRequest(query: "\(field):\(word)")
                    all.stemming = stemming
                    all.rows = 100_000
                    let expected = try searcher.search(all)
                    for rows in [1, 10, 50] {
                        var request = all
                        request.rows = rows
                        let (result, jumped) = try searcher.searchCountingSkips(request)
                        skipped += jumped
                        #expect(result.total == expected.total, "\(field):\(word) rows \(rows)")
                        #expect(result.hits == Array(expected.hits.prefix(rows)), "\(field):\(word) rows \(rows) stemming \(stemming)")
                    }
                }
            }
        }
        #expect(skipped > 20, "\(skipped) blocks jumped: too few to prove much")
    }
}
