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
        #expect(encoded.record.first == 0x04)
        #expect(encoded.text?.first == 0x04, "claims and descriptions are stored apart")
        #expect(try PatentRecordCodec.decode(encoded) == patent)
        #expect(try PatentRecordCodec.decode(PatentRecordCodec.encode(Patent(publication: patent.publication))) == Patent(publication: patent.publication))
    }

    /// `everyField` as form 2 wrote it (the store's form before sections; commit fba90c4).
    static let everyFieldInForm2 = "02024550073239303637383202413201024550083133373739323135010141c7d9cc09a3f4cd09a5f5d009014201026465020264651753747261c39f6520e2809320e794b5e6b1a020f09f988002656e000102656e02044f6e652e0954776f0a6c696e65730102656e020207412063656c6c2e0003085468652063656c6c0202d8040102656e0200054649454c440105546578742e020441434d450102444504536f6c6f00010841737369676e6565000109446f652c204a616e650102555301054167656e7400010b4830314d31302f3035323502095930324536302f31300a4830314d31302f303532010246490b4830314d31302f30354041020244450c313032303132303230343532000002555301310101500001086469766973696f6e024550013200000200010b44453335343631393141310001086578616d696e65720100010a536d6974682032303031000108353034373433373602020941434d4520474d42480441636d6500010001000101094147454e54204c4c50"

    @Test("records of forms 1 and 2 (one run of fields) are still read")
    func form2IsRead() throws {
        var bytes: [UInt8] = []
        var hex = Self.everyFieldInForm2[...]
        while hex.count >= 2 {
            bytes.append(UInt8(hex.prefix(2), radix: 16)!)
            hex = hex.dropFirst(2)
        }
        #expect(bytes.first == 0x02)
        #expect(try PatentRecordCodec.decode(Data(bytes)) == Self.everyField)
        // Form 1 is form 2 without its last block, the parties' spellings: per party list a
        // count, per party its spellings — here 34 bytes (ACME's two, AGENT LLP).
        var form1 = bytes
        form1[0] = 0x01
        form1.removeLast(34)
        var plain = Self.everyField
        for path in [\Patent.applicants, \.assignees, \.inventors, \.agents] as [WritableKeyPath<Patent, [Party]>] {
            for i in plain[keyPath: path].indices { plain[keyPath: path][i].variants = [] }
        }
        #expect(try PatentRecordCodec.decode(Data(form1)) == plain)
        #expect(!PatentRecordCodec.isCurrent(Data(bytes)))
        #expect(PatentRecordCodec.isCurrent(PatentRecordCodec.encode(Self.everyField).record))
    }

    @Test("a reader asking for some parts gets them and the bibliographic data, the rest left empty")
    func partsAreReadAlone() throws {
        var patent = Self.everyField
        // Long enough for its sections to be compressed.
        patent.descriptions[0].paragraphs += (1...200).map { .init(.paragraph, "Paragraph \($0) of a description that repeats itself.") }
        patent.abstracts[0].paragraphs.append(String(repeating: "An abstract sentence. ", count: 40))
        let encoded = PatentRecordCodec.encode(patent)
        #expect(encoded.record.count + (encoded.text?.count ?? 0) < 3 * 1_024, "the description's 11 KB are stored compressed")
        // Bibliographic reads need no text at all.
        #expect(try PatentRecordCodec.decode(encoded.record, text: nil, parts: [.abstracts, .citations]).citations == patent.citations)
        #expect(try PatentRecordCodec.decode(encoded) == patent)
        var bibliographic = patent
        (bibliographic.abstracts, bibliographic.claims, bibliographic.descriptions, bibliographic.citations) = ([], [], [], [])
        #expect(try PatentRecordCodec.decode(encoded, parts: []) == bibliographic)
        var withClaims = bibliographic
        withClaims.claims = patent.claims
        #expect(try PatentRecordCodec.decode(encoded, parts: .claims) == withClaims)
        var withText = bibliographic
        (withText.abstracts, withText.descriptions) = (patent.abstracts, patent.descriptions)
        #expect(try PatentRecordCodec.decode(encoded, parts: [.abstracts, .descriptions]) == withText)
        var withCitations = bibliographic
        withCitations.citations = patent.citations
        #expect(try PatentRecordCodec.decode(encoded, parts: .citations) == withCitations)
        // Parts of earlier forms cannot be skipped: they come whole.
        #expect(try PatentRecordCodec.decode(try JSONEncoder().encode(patent), parts: []) == patent)
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
        let stored = PatentRecordCodec.encode(Self.everyField)
        let encoded = [UInt8](stored.record)
        let text = [UInt8](try #require(stored.text))
        for length in 0..<encoded.count {
            #expect(throws: (any Error).self, "cut at \(length)") { _ = try PatentRecordCodec.decode(Data(encoded[..<length]), text: stored.text) }
        }
        for length in 0..<text.count {
            #expect(throws: (any Error).self, "text cut at \(length)") { _ = try PatentRecordCodec.decode(stored.record, text: Data(text[..<length])) }
        }
        for _ in 0..<1_000 {
            var damaged = text
            damaged[Int.random(in: 1..<damaged.count)] = UInt8.random(in: 0...255)
            _ = try? PatentRecordCodec.decode(stored.record, text: Data(damaged))
        }
        #expect(throws: PatentRecordCodec.Failure.unknownFormat(0x07)) { _ = try PatentRecordCodec.decode(Data([0x07, 0, 0])) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var damaged = encoded
            damaged[Int.random(in: 1..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            _ = try? PatentRecordCodec.decode(Data(damaged), text: stored.text)
        }
        #expect(throws: PatentRecordCodec.Failure.malformed(offset: encoded.count)) {
            _ = try PatentRecordCodec.decode(Data(encoded + [0]), text: stored.text)
        }
    }
}
