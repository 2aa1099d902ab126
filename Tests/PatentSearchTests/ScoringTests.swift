import Foundation
import PatentIndex
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// BM25 of QUERY.md §5, and the two ways of reading a term (document lists only for a
/// single token, positions for phrases and `$FREQ`) giving the same numbers.
@Suite("Scoring")
struct ScoringTests {
    let index = FixtureIndex.shared

    /// Three titles, numbers worked out on paper: N = 3, title lengths 2, 3, 1 (average 2),
    /// `truck` in two documents: idf = ln(1 + (3 − 2 + 0.5)/(2 + 0.5)) = ln 1.6.
    /// "red truck": tf 1, length 2 → 1·2.2/(1 + 1.2·(0.25 + 0.75·2/2)) = 2.2/2.2 = 1.
    /// "truck truck wheel": tf 2, length 3 → 2·2.2/(2 + 1.2·(0.25 + 0.75·3/2)) = 4.4/3.65.
    @Test("a single-word score is TTL's weight × idf × saturated tf, worked out by hand")
    func bm25ByHand() throws {
        let directory = try temporaryDirectory("bm25")
        let writer = try IndexWriter(directory: directory)
        for (serial, title) in [("1", "Red truck"), ("2", "Truck truck wheel"), ("3", "Wheel")] {
            var patent = Patent(publication: PublicationNumber(office: "US", number: serial, kind: "A1")!)
            patent.titles = [LocalizedText(language: "en", text: title)]
            writer.update(IndexDocument(patent))
        }
        try writer.commit()
        let searcher = Searcher(snapshot: try IndexSnapshot.open(directory: directory))
        let result = try searcher.search(SearchRequest(query: "TTL:truck"))
        #expect(result.hits.map(\.pn) == ["US2A1", "US1A1"])
        #expect(abs(result.hits[0].score - 3 * log(1.6) * 4.4 / 3.65) < 1e-12)
        #expect(abs(result.hits[1].score - 3 * log(1.6)) < 1e-12)
    }

    @Test("document lists and positions give the same scores", arguments: ["truck", "wheel", "battery", "method", "display"])
    func fastPathMatchesSpans(word: String) throws {
        for field in ["TTL", "ABST", "TACD", "CLMS"] {
            var plain = SearchRequest(query: "\(field):\(word)")
            plain.rows = 100
            var counted = SearchRequest(query: "\(field):\(word) $FREQ1")
            counted.rows = 100
            let a = try index.searcher.search(plain)
            let b = try index.searcher.search(counted)
            #expect(a.total == b.total, "\(field):\(word)")
            #expect(a.hits.map(\.pn) == b.hits.map(\.pn), "\(field):\(word)")
            for (x, y) in zip(a.hits, b.hits) { #expect(abs(x.score - y.score) < 1e-9, "\(field):\(word) \(x.pn)") }
        }
    }
}
