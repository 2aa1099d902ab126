import Foundation
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentStore

/// The store's binary record form: nothing lost, the JSON of earlier versions still read,
/// damaged bytes an error and never a crash.
@Suite("Stored record form")
struct PatentRecordCodecTests {
    /// A patent with every field set, optional parts both present and absent.
    static var everyField: Patent {
        var patent = Patent(publication: PublicationNumber(parsing: "EP2906782A2")!)
        patent.application = DocumentReference(office: "EP", number: "13779215", kind: "A", date: PatentDate("20131015"))
        patent.publicationDate = PatentDate("20150819")
        patent.grantDate = PatentDate("20200101")
        patent.type = .grantedInvention
        patent.originalLanguage = "de"
        patent.titles = [LocalizedText(language: "de", text: "Straße – 电池 😀"), LocalizedText(language: "en", text: "")]
        patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: ["One.", "Two\nlines"])]
        patent.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "A cell."), Claim(number: -2, text: "The cell", refersTo: [1, 300])])]
        patent.descriptions = [Description(language: "en", paragraphs: [.init(.heading, "FIELD"), .init(.paragraph, "Text.")])]
        patent.applicants = [Party(name: "ACME", country: "DE", variants: ["ACME GMBH", "Acme"]), Party(name: "Solo")]
        patent.assignees = [Party(name: "Assignee")]
        patent.inventors = [Party(name: "Doe, Jane", country: "US")]
        patent.agents = [Party(name: "Agent", variants: ["AGENT LLP"])]
        patent.ipc = ["H01M10/0525"]
        patent.cpc = ["Y02E60/10", "H01M10/052"]
        patent.otherClassifications = [SchemeCode(scheme: "FI", code: "H01M10/05@A")]
        patent.priorities = [DocumentReference(office: "DE", number: "102012020452"), DocumentReference(office: "US", number: "1", kind: "P")]
        patent.relatedDocuments = [RelatedDocument(relation: "division", document: DocumentReference(office: "EP", number: "2"))]
        patent.citations = [Citation(kind: .patent, number: "DE3546191A1", citedBy: "examiner"),
                            Citation(kind: .nonPatent, text: "Smith 2001")]
        patent.docdbFamilyID = "50474376"
        return patent
    }

    @Test("a patent with every field set comes back equal, and the form holds every stored property")
    func everyFieldRoundTrips() throws {
        let patent = Self.everyField
        #expect(Mirror(reflecting: patent).children.count == 21,
                "Patent has a stored property PatentRecordCodec does not know: add it to the codec (with a new format byte)")
        for child in Mirror(reflecting: patent).children {
            let empty = Mirror(reflecting: child.value)
            #expect(empty.displayStyle != .optional || !empty.children.isEmpty, "\(child.label ?? "") is set in the sample")
        }
        let encoded = PatentRecordCodec.encode(patent)
        #expect(encoded.first == 0x02)
        #expect(try PatentRecordCodec.decode(encoded) == patent)
        #expect(try PatentRecordCodec.decode(PatentRecordCodec.encode(Patent(publication: patent.publication))) == Patent(publication: patent.publication))
    }

    @Test("every fixture patent round-trips, and its JSON of earlier versions decodes to the same patent")
    func fixturesRoundTrip() throws {
        let store = try PatentStore(directory: try temporaryDirectory("codec"))
        _ = try Importer(store: store).run(paths: [fixtures])
        let patents = try store.changes(after: 0, limit: 10_000).map(\.patent)
        #expect(patents.count == 86)
        let json = JSONEncoder()
        for patent in patents {
            #expect(try PatentRecordCodec.decode(PatentRecordCodec.encode(patent)) == patent, "\(patent.pn)")
            #expect(try PatentRecordCodec.decode(try json.encode(patent)) == patent, "\(patent.pn) from JSON")
        }
    }

    @Test("a cut or damaged record is an error naming the byte, never a crash")
    func damagedRecords() throws {
        let encoded = [UInt8](PatentRecordCodec.encode(Self.everyField))
        for length in 0..<encoded.count {
            #expect(throws: (any Error).self, "cut at \(length)") { _ = try PatentRecordCodec.decode(Data(encoded[..<length])) }
        }
        #expect(throws: PatentRecordCodec.Failure.unknownFormat(0x07)) { _ = try PatentRecordCodec.decode(Data([0x07, 0, 0])) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var damaged = encoded
            damaged[Int.random(in: 1..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            _ = try? PatentRecordCodec.decode(Data(damaged))
        }
        #expect(throws: PatentRecordCodec.Failure.malformed(offset: encoded.count)) {
            _ = try PatentRecordCodec.decode(Data(encoded + [0]))
        }
    }
}
