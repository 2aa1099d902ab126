import Foundation
import PatentAnalysis
import PatentIndex
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Phrases of common words read through their `WordPairs` terms: the same documents,
/// frequencies and scores as reading both words' positions, and the pairs stay invisible
/// to everything that names words.
@Suite("Word pairs")
struct WordPairTests {
    /// Titles and abstracts with common-word runs; the applicant name "The Of Company"
    /// (a party field: no pairs there).
    static let texts: [(pn: String, title: String, abstract: String)] = [
        ("US1A1", "The cell of the battery of the device", "At least one of the cells. Of. The end"),
        ("US2A1", "Of the", "one or more of the at least one layer"),
        ("US3A1", "The of the the", "the the the"),
        ("US4A1", "Battery cell", "A method of the kind. It is at least one"),
        ("US5A1", "Official theory", "often the other"),
    ]

    static let searcher: Searcher = {
        let directory = try! temporaryDirectory("word-pairs")
        let writer = try! IndexWriter(directory: directory)
        for text in texts {
            var patent = Patent(publication: PublicationNumber(parsing: text.pn)!)
            patent.titles = [LocalizedText(language: "en", text: text.title)]
            patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [text.abstract])]
            patent.applicants = [Party(name: "The Of Company")]
            patent.publicationDate = PatentDate("20200101")
            writer.update(IndexDocument(patent))
        }
        try! writer.commit()
        return Searcher(snapshot: try! IndexSnapshot.open(directory: directory))
    }()

    func hits(_ query: String, stemming: Bool = false) throws -> [String: Double] {
        var request = SearchRequest(query: query)
        request.rows = 100
        request.stemming = stemming
        return Dictionary(uniqueKeysWithValues: try Self.searcher.search(request).hits.map { ($0.pn, $0.score) })
    }

    @Test("the index holds pairs of adjacent common words in text fields only, at the first word's position")
    func pairsInTheIndex() throws {
        let segment = try #require(Self.searcher.snapshot.segments.first)
        let title = try #require(segment.dictionary(.title))
        let pairs = (0..<title.count).map { title.term($0) }.filter { $0.contains(" ") }
        // "the cell": cell is not common; "of the", "the of", "the the" are pairs of common words.
        #expect(Set(pairs) == ["of the", "the of", "the the"])
        var cursor = title.postings(try #require(title.find("of the")), positional: true)
        var positions: [String: [Int32]] = [:]
        while try cursor.next() {
            var list: [Int32] = []
            try cursor.positions(appendingTo: &list)
            positions[try segment.pn(cursor.doc)] = list
        }
        #expect(positions == ["US1A1": [2, 5], "US2A1": [0], "US3A1": [1]])
        let applicants = try #require(segment.dictionary(.applicants))
        #expect((0..<applicants.count).allSatisfy { !applicants.term($0).contains(" ") }, "no pairs in party fields")
    }

    @Test("phrases of common words find what their words' positions find, with the same counts and scores")
    func phrases() throws {
        // Expected from the texts by hand: title and abstract (TA) occurrences.
        #expect(Set(try hits("TTL:\"of the\"").keys) == ["US1A1", "US2A1", "US3A1"])
        #expect(Set(try hits("ABST:\"the the\"").keys) == ["US3A1"])
        #expect(Set(try hits("ABST:\"at least one\"").keys) == ["US1A1", "US2A1", "US4A1"])
        #expect(Set(try hits("ABST:\"one of the\"").keys) == ["US1A1"])
        #expect(try hits("ABST:\"of the at least one\"").keys.sorted() == ["US2A1"])
        // Across a sentence end the words are still adjacent ("Of. The").
        #expect(Set(try hits("ABST:\"of the\"").keys) == ["US1A1", "US2A1", "US4A1"])
        // A phrase of one common and one other word reads the words themselves.
        #expect(Set(try hits("TTL:\"the battery\"").keys) == ["US1A1"])
        #expect(try hits("TTL:\"the official\"").isEmpty)
        // Party fields hold no pairs and still match the phrase.
        #expect(try hits("AN:\"the of\"").count == Self.texts.count)
        // Scores equal the same phrase read on positions: `$FREQ1` takes the span path,
        // which never reads pairs, and matches the same documents with the same frequencies.
        for phrase in ["of the", "the the", "at least one", "one of the"] {
            let paired = try hits("ABST:\"\(phrase)\"")
            let spans = try hits("ABST:(\"\(phrase)\" $FREQ1)")
            #expect(paired == spans, "\(phrase)")
        }
    }

    @Test("wildcards never expand to a pair; stemming leaves pairs aside")
    func wildcardsAndStemming() throws {
        #expect(Set(try hits("TTL:of*").keys) == ["US1A1", "US2A1", "US3A1", "US5A1"])
        #expect(Set(try hits("TTL:*the").keys) == ["US1A1", "US2A1", "US3A1"])
        let stemmed = try hits("TTL:\"of the\"", stemming: true)
        #expect(Set(stemmed.keys) == ["US1A1", "US2A1", "US3A1"])
    }
}
