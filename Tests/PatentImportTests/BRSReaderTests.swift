import PatentImport
import PatentModel
import Testing

/// USPTO CSS BRS text: two documents of the patentpublicdata sample (US9204581B2 and
/// US9204583B2), each with its summary line and title before the boundary.
@Suite("USPTO CSS BRS text")
struct BRSReaderTests {
    let patents: [Patent]

    init() throws {
        let read = try Fixtures.read("uspto-brs/css_brs_two.txt", readerOnly: true)
        #expect(read.problems.isEmpty)
        patents = read.patents
    }

    @Test("both documents, with their bibliographic data, parties and relations")
    func bibliography() throws {
        #expect(patents.map(\.pn) == ["US9204581B2", "US9204583B2"])
        let first = patents[0]
        #expect(first.titles.map(\.text) == ["Method for performing chip level electromagnetic interference reduction, and associated apparatus"])
        #expect(first.type == .grantedInvention)
        #expect(first.publicationDate?.value == 20151201 && first.issueDate?.value == 20151201)
        #expect(first.application?.key == "US13676098" && first.application?.date?.value == 20121114)
        #expect(first.applicants == [Party(name: "MEDIATEK INC.", country: "TW")])
        #expect(first.inventors.map(\.name) == ["Yu, Long-Kun", "Deng, Kuo-Liang"])
        #expect(first.inventors.map(\.country) == ["TW", "TW"])
        #expect(first.assignees == [Party(name: "MEDIATEK INC.", country: "TW")])
        #expect(first.agents.map(\.name) == ["Hsu, Winston", "Margo, Scott"])
        #expect(first.ipc.count == 1 && first.ipc[0].hasPrefix("H05K"))
        #expect(first.cpc.count == 1 && first.cpc[0].hasPrefix("H05K"))
        #expect(first.relatedDocuments.map(\.relation) == ["us-provisional-application", "related-publication"])
        #expect(first.relatedDocuments.map(\.document.key) == ["US61559247", "US20130120958"])
        let second = patents[1]
        #expect(second.priorities.map(\.key) == ["KR20110055402"])
        #expect(second.priorities.first?.date?.value == 20110609)
        #expect(second.applicants.map(\.name) == ["Park, Hyun Ho", "Park, Hark Byeong"])
        #expect(second.agents.map(\.name) == ["Staas & Halsey LLP"])
    }

    @Test("citations: US and foreign publications with who cited them, and literature")
    func citations() throws {
        let citations = patents[0].citations
        #expect(citations.first == Citation(kind: .patent, number: "US20030169838A1", citedBy: "examiner"))
        #expect(citations.contains(Citation(kind: .patent, number: "CN1402605A", citedBy: "examiner")))
        #expect(citations.contains { $0.kind == .nonPatent && $0.text?.hasPrefix("\"International Search Report\"") == true })
    }

    @Test("abstract, description with headings, and numbered claims with their references")
    func text() throws {
        let first = patents[0]
        #expect(first.abstracts.first?.paragraphs.first?.hasPrefix("A method for performing chip level electromagnetic interference (EMI) reduction is provided") == true)
        let description = try #require(first.descriptions.first?.paragraphs)
        #expect(description.first == DescriptionParagraph(.heading, "CROSS REFERENCE TO RELATED APPLICATIONS"))
        #expect(description.contains(DescriptionParagraph(.heading, "BACKGROUND")))
        #expect(description.contains { $0.kind == .paragraph && $0.text.hasPrefix("The present invention relates to electromagnetic interference (EMI)") })
        let claims = try #require(first.claims.first?.claims)
        #expect(claims.map(\.number) == Array(1...20))
        #expect(claims[0].text.hasPrefix("A method for performing chip level electromagnetic interference (EMI) reduction, the method being applied"))
        #expect(claims[0].refersTo.isEmpty && claims[1].refersTo == [1])
        #expect(patents[1].claims.first?.claims.count == 18)
    }
}
