import Foundation
import PatentIndex
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// QUERY.md §3 and §8: a wildcard term may expand to 10,000 distinct tokens of its field
/// scope, 1,500 as a proximity operand; one more is 68300004 naming the term, never a
/// silent truncation.
@Suite("Wildcard expansion limits, exactly at the boundary")
struct ExpansionLimitTests {
    /// One description holding `pa0000…pa1499` (1,500), `pb0000…pb1500` (1,501),
    /// `pc00000…pc09999` (10,000) and `pd00000…pd10000` (10,001), and a title with `pa0001 pb0001 pc00001 pd00001`.
    static let searcher: Searcher = {
        func words(_ prefix: String, _ count: Int, digits: Int) -> [String] {
            (0..<count).map { prefix + String(repeating: "0", count: digits - String($0).count) + String($0) }
        }
        var patent = Patent(publication: PublicationNumber(office: "US", number: "1", kind: "A1")!)
        patent.titles = [LocalizedText(language: "en", text: "pa0001 pb0001 pc00001 pd00001")]
        let paragraphs = [words("pa", 1_500, digits: 4), words("pb", 1_501, digits: 4), words("pc", 10_000, digits: 5),
                          words("pd", 10_001, digits: 5)].map { DescriptionParagraph(.paragraph, $0.joined(separator: " ")) }
        patent.descriptions = [Description(language: "en", paragraphs: paragraphs)]
        let directory = try! temporaryDirectory("expansion-limits")
        let writer = try! IndexWriter(directory: directory)
        writer.update(IndexDocument(patent))
        try! writer.commit()
        return Searcher(snapshot: try! IndexSnapshot.open(directory: directory))
    }()

    func refusal(_ query: String) -> String? {
        do {
            _ = try Self.searcher.search(SearchRequest(query: query))
            return nil
        } catch {
            return error.message
        }
    }

    @Test("10,000 expansions are searched, 10,001 are refused naming the term and its position")
    func plainLimit() {
        #expect(refusal("DESC:pc*") == nil)
        #expect(refusal("DESC:pd*") == "'pd*' matches more than 10000 terms at 6")
        // The title holds only one of them: the limit counts the term's own field scope.
        #expect(refusal("TTL:pd*") == nil)
    }

    @Test("inside proximity 1,500 are searched and 1,501 refused, also inside an OR operand and a chain")
    func proximityLimit() {
        #expect(refusal("DESC:(pa* $W5 pc00001)") == nil)
        #expect(refusal("DESC:(pb* $W5 pc00001)") == "'pb*' matches more than 1500 terms at 7")
        #expect(refusal("DESC:((pb* OR x) $SEN pa0001)") == "'pb*' matches more than 1500 terms at 8")
        #expect(refusal("DESC:(pa0001 $W1 pa0002 $PRE3 pb*)") == "'pb*' matches more than 1500 terms at 31")
        // Outside proximity the same term is within its limit.
        #expect(refusal("DESC:pb* AND DESC:pa0001") == nil)
    }
}
