import Foundation
import PatentModel
import Testing
@testable import PatentImport

@Suite("USPTO ICE XML")
struct USPTOICETests {
    @Test("grant v4.5: numbers, dates, title, claims, classes, parties")
    func grant() throws {
        let p = try Fixtures.patent("US11147202B2", in: "uspto-ice/US11147202B2.xml")
        #expect(p.publicationDate == PatentDate("20211019"))
        #expect(p.grantDate == PatentDate("20211019"))
        #expect(p.type == .grantedInvention)
        #expect(p.application == DocumentReference(office: "US", number: "16232658", date: PatentDate("20181226")))
        #expect(p.titles == [LocalizedText(language: "en", text: "Wheeled hand truck")])
        let claims = try #require(p.claims.first)
        #expect(claims.claims.count == 9)
        #expect(claims.claims[0].text.hasPrefix("1. A wheeled hand truck comprising: (a) a footplate having front and rear ends;"))
        #expect(claims.claims.filter(\.isIndependent).map(\.number) == [1])
        #expect(claims.claims[1].refersTo == [1])
        #expect(p.ipc == ["A01B1/24", "B62B1/12", "B62B5/06"])
        #expect(p.cpc.prefix(3) == ["A01B1/243", "B62B1/12", "B62B5/06"])
        #expect(p.applicants == [Party(name: "Ng, Yeow", country: "US")])
        #expect(p.inventors == [Party(name: "Ng, Yeow", country: "US")])
        #expect(p.agents.map(\.name) == ["Jack, Kenneth H.", "Davis & Jack, LLC"])
        #expect(p.citations.count == 41)
        #expect(p.citations[0] == Citation(kind: .patent, number: "US554139A", text: "Ober", citedBy: "cited by applicant"))
        #expect(p.descriptions.first?.paragraphs.first == DescriptionParagraph(.heading, "FIELD OF THE INVENTION"))
        #expect(p.relatedDocuments.first?.document.number == "20190124818")
    }

    @Test("application v4.0: division parent, inventors listed as applicants, IPC 7")
    func applicationV40() throws {
        let p = try Fixtures.patent("US20050000001A1", in: "uspto-ice/v4-0-A1.xml")
        #expect(p.type == .application)
        #expect(p.titles.first?.text == "Novelty jeans")
        #expect(p.inventors == [Party(name: "Goldkind, Tina", country: "US")])
        #expect(p.applicants.isEmpty)
        #expect(p.ipc == ["A41D1/06"])
        #expect(p.relatedDocuments.first == RelatedDocument(relation: "division",
            document: DocumentReference(office: "US", number: "10098856", date: PatentDate("20020314"))))
    }

    @Test("a weekly bundle yields every concatenated document")
    func bundle() throws {
        let (patents, problems) = try Fixtures.read("uspto-ice/ipg050104-bundle.xml")
        #expect(problems.isEmpty)
        #expect(patents.count == 25)
        #expect(Set(patents.map(\.pn)).count == 25)
        #expect(patents.allSatisfy { $0.publication.office == "US" && $0.publicationDate == PatentDate("20050104") })
        #expect(patents.allSatisfy { !$0.claims.isEmpty })
    }

    @Test("a malformed document (an unclosed <maths>) is mended and imported whole, the repair told with its line and column")
    func brokenDocument() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.readerOnly("uspto-ice/broken-US07057742.xml"))))
        #expect(throws: XMLSyntaxError.self) { _ = try XMLReader.parse(bytes) }
        let decoded = DocumentDecoder.decodeReporting(bytes)
        #expect(decoded.repairs == ["broken XML at line 880, column 3: end tag 'maths' does not match 'p'"])
        let patent = try #require(try decoded.result.get().first)
        #expect(patent.pn == "US7057742B2" && patent.claims.first?.claims.count == 44)
        #expect(patent.descriptions.first?.paragraphs.count == 80, "the description after the broken formula is kept")
    }
}

@Suite("USPTO legacy formats")
struct USPTOLegacyTests {
    @Test("PAP v1.5 application publication")
    func pap() throws {
        let p = try Fixtures.patent("US20010000044A1", in: "uspto-legacy/US20010000044A1.xml")
        #expect(p.publicationDate == PatentDate("20010315"))
        #expect(p.application?.number == "09342866")
        #expect(p.titles.first?.text.hasPrefix("Systems and Methods For Transacting Business Over") == true)
        #expect(p.claims.first?.claims.count == 21)
        #expect(p.claims.first?.claims.filter(\.isIndependent).map(\.number) == [1, 13, 19])
        #expect(p.ipc == ["G06F17/60"])
        #expect(p.inventors == [Party(name: "Lin, Wayne W", country: "US")])
    }

    @Test("ST.32 grant (PATDOC v2.5)")
    func st32() throws {
        let p = try Fixtures.patent("US6336130B1", in: "uspto-legacy/US06336130.xml")
        #expect(p.grantDate == PatentDate("20020101"))
        #expect(p.application == DocumentReference(office: "US", number: "09413215", date: PatentDate("19991005")))
        #expect(p.priorities == [DocumentReference(office: "NO", number: "971605", date: PatentDate("19970408"))])
        #expect(p.ipc == ["G06F15/16", "G06F13/00"])
        #expect(p.claims.first?.claims.count == 22)
        #expect(p.claims.first?.claims[0].text.hasPrefix("1. An arrangement in a network including a plurality of mobi") == true)
        #expect(p.assignees == [Party(name: "Telefonaktiebolaget LM Ericsson (publ)", country: "SE")])
        #expect(p.inventors == [Party(name: "Do, Thanh Van", country: "NO")])
    }

    @Test("ST.32 bundle without XML declarations, with unclosed EMPTY elements")
    func st32Bundle() throws {
        let (patents, problems) = try Fixtures.read("uspto-legacy/grants_2001_bundle.xml")
        #expect(problems.isEmpty)
        #expect(patents.count == 23)
        let first = try #require(patents.first { $0.pn == "US6314555B1" })
        #expect(first.titles.first?.text == "Software system generation")
        #expect(first.claims.first?.claims.count == 40)
        #expect(first.citations.count == 27)
    }

    @Test("APS green book text")
    func aps() throws {
        let p = try Fixtures.patent("US3932709A", in: "uspto-legacy/US03932709.greenbook")
        #expect(p.type == .grantedInvention)
        #expect(p.grantDate == PatentDate("19760113"))
        #expect(p.application == DocumentReference(office: "US", number: "05449155", date: PatentDate("19740307")))
        #expect(p.titles.first?.text == "Electronic business telephone")
        #expect(p.inventors.map(\.name) == ["Hoff, Don G.", "Young, Patrick"])
        #expect(p.assignees.first?.name == "General Teletronics Incorporated")
        #expect(p.ipc == ["H04M11/00"])
        #expect(p.claims.first?.claims.count == 17)
        #expect(p.claims.first?.claims[0].text.hasPrefix("1. An electronic communications terminal comprising:") == true)
    }

    @Test("PatFT full-text page")
    func patft() throws {
        let p = try Fixtures.patent("US9945180B2", in: "uspto-legacy/patft-9945180.html")
        #expect(p.publicationDate == PatentDate("20180417"))
        #expect(p.titles.first?.text == "Drilling machine and method")
        #expect(p.docdbFamilyID == "44276718")
        #expect(p.application?.date == PatentDate("20140130"))
        #expect(p.claims.first?.claims.count == 19)
        #expect(p.inventors.first?.name == "Hartke, Louis C.")
        #expect(p.cpc.first == "E21B15/006")
        #expect(p.ipc.first == "E21B19/16")
    }

    @Test("PPUBS JSON full document: HTML claims and description become claims and paragraphs")
    func ppubs() throws {
        let p = try Fixtures.patent("US8832265B2", in: "uspto-ppubs/US8832265B2.json")
        #expect(p.publicationDate == PatentDate("20140909"))
        #expect(p.docdbFamilyID == "47891987")
        #expect(p.application == DocumentReference(office: "US", number: "13461168", date: PatentDate("20120501")))
        let claims = try #require(p.claims.first?.claims)
        #expect(claims.count == 21)
        #expect(claims.filter(\.isIndependent).map(\.number) == [1, 12, 16])
        #expect(p.descriptions.first?.paragraphs.first == DescriptionParagraph(.heading, "BRIEF DESCRIPTION OF THE DRAWINGS"))
        #expect(p.cpc.prefix(2) == ["G06F11/3447", "G06F11/34"])
        #expect(p.assignees.first?.name == "International Business Machines Corporation")
        #expect(p.inventors.first == Party(name: "Kozine, Mikhail Borisovich", country: "US"))
    }

    @Test("PPUBS document array (a list of hits downloaded as full documents): every document with its text")
    func ppubsDocumentArray() throws {
        let read = try Fixtures.read("uspto-ppubs/document-array.json", readerOnly: true)
        #expect(read.problems.isEmpty)
        #expect(read.patents.map(\.pn) == ["US6103599A", "US11557320B1", "US11556547B2"])
        let old = try #require(read.patents.first)
        #expect(old.titles.first?.text == "Planarizing technique for multilayered substrates")
        #expect(old.type == .grantedInvention && old.issueDate == PatentDate("20000815"), "a US kind A of 2000 is a grant")
        #expect(old.assignees.map(\.name) == ["Silicon Genesis Corporation"])
        #expect(read.patents.allSatisfy { !$0.claims.isEmpty && !$0.abstracts.isEmpty && !$0.descriptions.isEmpty })
    }

    @Test("PPUBS design patent and search hits")
    func ppubsDesignAndHits() throws {
        let design = try Fixtures.patent("USD920344S", in: "uspto-ppubs/USD920344S.json")
        #expect(design.type == .design)
        #expect(design.claims.first?.claims.count == 1)
        let hits = try Fixtures.read("uspto-ppubs/search-hits.json")
        #expect(!hits.patents.isEmpty)
        #expect(hits.problems.isEmpty)
    }
}

@Suite("WIPO ST.96")
struct ST96ReaderTests {
    @Test("ST.96 PatentPublication: identification, parties, classes, claims with references, description")
    func patentPublication() throws {
        let read = try Fixtures.read("wipo-st96/ST96_PatentPublication_Example.xml", readerOnly: true)
        #expect(read.problems.isEmpty)
        let p = try #require(read.patents.first)
        #expect(p.pn == "US8936998B2" && p.type == .grantedInvention && p.issueDate == PatentDate("20150120"))
        #expect(p.application == DocumentReference(office: "US", number: "13797521", date: PatentDate("20130312")))
        #expect(p.priorities == [DocumentReference(office: "JP", number: "2007-290922", date: PatentDate("20071108"))])
        #expect(p.relatedDocuments == [RelatedDocument(relation: "division", document: DocumentReference(office: "US", number: "12741916"))])
        #expect(p.titles == [LocalizedText(language: "en", text: "Manufcaturing method for room-temperature substrate bonding")])
        #expect(p.ipc.first == "H01L21/30" && p.cpc.first == "H01L21/2007")
        #expect(p.inventors.map(\.name) == ["Utsumi, Jun", "Goto, Takayuki", "Ide, Kensuke", "Takagi, Hideki", "Funayama, Masahiro"])
        #expect(p.assignees.map(\.name) == ["Mitsubishi Heavy Industries, Ltd.", "National Institute of Advanced Industrial Science and Technology"])
        #expect(p.agents.map(\.name) == ["Birch, Stewart, Kolasch & Birch, LLP"])
        let claims = try #require(p.claims.first?.claims)
        #expect(claims.count == 10)
        #expect(claims[0].isIndependent && claims[0].text.hasPrefix("1. A device manufacture method, comprising: sputtering"))
        #expect(claims[1].refersTo == [1] && claims[2].refersTo == [2])
        #expect(!claims[0].text.contains("Independent"), "the category element is not claim text")
        let paragraphs = try #require(p.descriptions.first?.paragraphs)
        #expect(paragraphs.count == 75 && paragraphs[1] == DescriptionParagraph(.heading, "TECHNICAL FIELD"))
        #expect(p.abstracts.first?.paragraphs.first?.hasPrefix("A device is provided with") == true)
        #expect(p.citations.count == 30 && p.citations.first?.number == "US6054363A")
    }
}
