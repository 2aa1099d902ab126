import Foundation
import PatentCorpus
import PatentIndex
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Each segment's documents in `DateOrder` (publication date descending, then PN), and the
/// queries without scored terms that take their first k matches in it.
@Suite("Date order")
struct DateOrderTests {
    /// `pn`, published on `date` (nil: undated).
    private func dated(_ pn: String, _ date: String?) -> IndexDocument {
        var patent = Patent(publication: PublicationNumber(parsing: pn)!)
        patent.titles = [LocalizedText(language: "en", text: "Hinge")]
        patent.publicationDate = date.flatMap(PatentDate.init)
        return IndexDocument(patent)
    }

    /// The documents of `segment` in the order of QUERY.md §5 without the score, worked out
    /// from their PNs and dates alone.
    private func expectedOrder(_ segment: Segment) throws -> [Int32] {
        let dates = segment.columns.values(.publicationDate)
        let pns = try (0..<segment.documentCount).map { try segment.pn($0) }
        return (0..<Int32(segment.documentCount)).sorted { a, b in
            dates[a] != dates[b] ? dates[a] > dates[b] : pns[Int(a)].utf8.lexicographicallyPrecedes(pns[Int(b)].utf8)
        }
    }

    private func stored(_ segment: Segment) -> [Int32] {
        let order = segment.dateOrder()
        return (0..<order.count).map { order[$0] }
    }

    @Test("a segment lists its documents by date descending, undated last, then PN byte order past 16 bytes; a merge keeps it")
    func writtenAndMerged() throws {
        let directory = try temporaryDirectory("date-order")
        let writer = try IndexWriter(directory: directory)
        // Two PNs alike in their first 16 bytes, on one date; an undated one; dates shared.
        for (pn, date) in [("US2020012345678902A1", "20200101"), ("US2020012345678901A1", "20200101"), ("EP100B1", nil),
                           ("US5A", "19990101"), ("CN7A", "20230505"), ("AU9A", "20200101")] {
            writer.update(dated(pn, date))
        }
        try writer.commit()
        for (pn, date) in [("JP3A", "20200101"), ("DE4A", nil), ("US5A", "20240101")] { writer.update(dated(pn, date)) }
        writer.remove("CN7A")
        try writer.commit()
        let before = try IndexSnapshot.open(directory: directory)
        #expect(before.segments.count == 2)
        for segment in before.segments { #expect(stored(segment) == (try expectedOrder(segment))) }
        let first = before.segments[0]
        #expect(try stored(first).map { try first.pn(Int($0)) }
                == ["CN7A", "AU9A", "US2020012345678901A1", "US2020012345678902A1", "US5A", "EP100B1"])
        try writer.merge()
        let merged = try IndexSnapshot.open(directory: directory)
        #expect(merged.segments.count == 1)
        let segment = merged.segments[0]
        #expect(try stored(segment).map { try segment.pn(Int($0)) }
                == ["US5A", "AU9A", "JP3A", "US2020012345678901A1", "US2020012345678902A1", "DE4A", "EP100B1"])
    }

    /// 3,000 generated patents over three generations with removed ones, unmerged and
    /// merged: each query without a scored term gives its matches (found by walking the
    /// query's iterators, not the date order) by date descending, then PN — with few rows
    /// (the date order walked, or a date range's run of it) and with every row.
    @Test("queries without scored terms: their matches by date, then PN, however many rows", arguments: [false, true])
    func sameAsSortingTheMatches(merged: Bool) throws {
        let directory = try temporaryDirectory("date-order-generated")
        let writer = try IndexWriter(directory: directory)
        var generator = CorpusGenerator(model: try CorpusModel.learn(from: FixtureIndex.shared.store), seed: 8)
        generator.fullText = false
        var pns: [String] = []
        var published: [String: Int] = [:]
        for generation in 0..<3 {
            for _ in 0..<1_000 {
                let patent = generator.next()
                pns.append(patent.pn)
                published[patent.pn] = patent.publicationDate.map { Int($0.description)! } ?? 0
                writer.update(IndexDocument(patent))
            }
            if generation > 0 {
                for pn in pns.prefix(generation * 100).suffix(50) { writer.remove(pn) }
            }
            try writer.commit()
        }
        if merged { try writer.merge() }
        let searcher = Searcher(snapshot: try IndexSnapshot.open(directory: directory))
        #expect(searcher.snapshot.segments.count == (merged ? 1 : 3))
        #expect(merged || searcher.snapshot.deletions.contains { $0.count > 0 })
        let dates = pns.compactMap { published[$0] }.filter { $0 > 0 }.map(String.init)
        let queries = ["AUTHORITY:US", "AUTHORITY:EP", "AUTHORITY:LU", "PBD:[20100101 TO 20201231]", "PBD:[19000101 TO 20991231]",
                       "PBD:[20150101 TO 20150630]", "APD:[20100101 TO 20201231]", "AUTHORITY:US AND PBD:[20000101 TO 20151231]",
                       "AUTHORITY:(US OR CN)", "NOT AUTHORITY:US"]
            // Ranges ending and starting on documents' own dates (bounds are inclusive).
            + [(100, 2_000), (2_000, 100), (7, 7)].map { "PBD:[\(min(dates[$0], dates[$1])) TO \(max(dates[$0], dates[$1]))]" }
            + ["PBD:\(dates[5])"]
        var walked = 0
        for query in queries {
            let matching = try searcher.matchingPublications(query).sorted { a, b in
                let (x, y) = (published[a] ?? 0, published[b] ?? 0)
                return x != y ? x > y : a.utf8.lexicographicallyPrecedes(b.utf8)
            }
            for rows in [1, 7, 40, 100_000] {
                var request = SearchRequest(query: query)
                request.rows = rows
                let result = try searcher.search(request)
                #expect(result.total == matching.count, "\(query) rows \(rows)")
                #expect(result.hits.map(\.pn) == Array(matching.prefix(rows)), "\(query) rows \(rows)")
                if matching.count > 40 * rows { walked += 1 }
            }
        }
        #expect(walked >= 15, "too few queries match enough for the walk to be taken")
    }
}
