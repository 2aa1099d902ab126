import Foundation
import PatentIndex
import PatentTestSupport
import Testing
@testable import PatentSearch

/// BM25 of QUERY.md §5, and the two ways of reading a term (document lists only for a
/// single token, positions for phrases and `$FREQ`) giving the same numbers.
@Suite("Scoring")
struct ScoringTests {
    let index = FixtureIndex.shared

    @Test("a single-word score is TTL's weight × idf × saturated tf, by hand")
    func bm25ByHand() throws {
        let result = try index.searcher.search(SearchRequest(query: "TTL:truck"))
        let hit = try #require(result.hits.first)
        let snapshot = index.snapshot
        // Statistics over the whole snapshot, as the searcher uses them.
        var live = 0
        var titleLengths = 0
        var df = 0
        var tf = 0
        var length = 0
        for (segment, deletions) in zip(snapshot.segments, snapshot.deletions) {
            for doc in 0..<segment.documentCount where !deletions.contains(doc) {
                live += 1
                titleLengths += segment.norm(doc, .title)
            }
            guard let dictionary = segment.dictionary(.title), let term = dictionary.find("truck") else { continue }
            var postings = dictionary.postings(term, positional: false)
            while try postings.next() {
                df += 1
                if try segment.pn(postings.doc) == hit.pn, !deletions.contains(postings.doc) {
                    tf = postings.frequency
                    length = segment.norm(postings.doc, .title)
                }
            }
        }
        let n = Double(live)
        let idf = log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5))
        let average = Double(titleLengths) / n
        let saturation = Double(tf) * 2.2 / (Double(tf) + 1.2 * (1 - 0.75 + 0.75 * Double(length) / average))
        #expect(tf >= 1)
        #expect(abs(hit.score - 3 * idf * saturation) < 1e-9)
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
