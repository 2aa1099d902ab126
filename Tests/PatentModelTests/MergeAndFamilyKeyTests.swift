import Testing
@testable import PatentModel

@Suite("Merging records of one publication")
struct MergeTests {
    func biblio() -> Patent {
        var patent = Patent(publication: PublicationNumber(office: "EP", number: "1000000", kind: "A1")!)
        patent.titles = [LocalizedText(language: "de", text: "Vorrichtung"), LocalizedText(language: "en", text: "Apparatus")]
        patent.applicants = [Party(name: "BEHEERMAATSCHAPPIJ DE BOER NIJMEGEN B.V")]
        patent.ipc = ["B28B5/02"]
        patent.docdbFamilyID = "19768124"
        patent.type = .application
        return patent
    }

    @Test("full text joins the bibliographic record without erasing it")
    func fullTextJoins() {
        var stored = biblio()
        var fullText = Patent(publication: stored.publication)
        fullText.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "1. Apparatus")])]
        stored.merge(fullText)
        #expect(stored.claims.count == 1)
        #expect(stored.titles.count == 2)
        #expect(stored.ipc == ["B28B5/02"])
        #expect(stored.docdbFamilyID == "19768124")
        #expect(stored.type == .application)
    }

    @Test("texts are replaced language by language")
    func perLanguage() {
        var stored = biblio()
        var update = Patent(publication: stored.publication)
        update.titles = [LocalizedText(language: "en", text: "Apparatus for bricks"), LocalizedText(language: "fr", text: "Dispositif")]
        stored.merge(update)
        #expect(stored.titles.map(\.language) == ["de", "en", "fr"])
        #expect(stored.titles[1].text == "Apparatus for bricks")
    }

    @Test("merging the same record twice changes nothing")
    func idempotent() {
        var once = biblio()
        let incoming = biblio()
        once.merge(incoming)
        var twice = once
        twice.merge(incoming)
        #expect(once == twice)
        #expect(once == biblio())
    }

    @Test("original language falls back to English, then the first listed")
    func originalLanguage() {
        var patent = biblio()
        #expect(patent.resolvedOriginalLanguage == "en")
        patent.titles = [LocalizedText(language: "de", text: "x"), LocalizedText(language: "fr", text: "y")]
        #expect(patent.resolvedOriginalLanguage == "de")
        patent.originalLanguage = "fr"
        #expect(patent.resolvedOriginalLanguage == "fr")
    }

    @Test("priority date is the earliest priority, else the application date")
    func priorityDate() {
        var patent = biblio()
        patent.application = DocumentReference(office: "EP", number: "99203729", date: PatentDate("19991108"))
        #expect(patent.priorityDate == PatentDate("19991108"))
        patent.priorities = [DocumentReference(office: "NL", number: "1010536", date: PatentDate("19981112")),
                             DocumentReference(office: "NL", number: "1010537", date: PatentDate("19981001"))]
        #expect(patent.priorityDate == PatentDate("19981001"))
    }
}

@Suite("Family link keys")
struct FamilyKeyTests {
    func patent(_ pn: String, family: String? = nil, priorities: [String] = [], application: String? = nil,
                related: [(String, String)] = []) -> Patent {
        var patent = Patent(publication: PublicationNumber(parsing: pn)!)
        patent.docdbFamilyID = family
        patent.priorities = priorities.map { DocumentReference(office: String($0.prefix(2)), number: String($0.dropFirst(2))) }
        patent.application = application.map { DocumentReference(office: String($0.prefix(2)), number: String($0.dropFirst(2))) }
        patent.relatedDocuments = related.map { RelatedDocument(relation: $0.0, document: DocumentReference(office: "US", number: $0.1)) }
        return patent
    }

    @Test func docdbUsesFamilyIdAndThePrioritySet() {
        let keys = FamilyLevel.docdb.keys(of: patent("EP1A1", family: "7", priorities: ["US2", "US1"]))
        #expect(keys == ["F:7", "S:US1,US2"])
    }

    @Test func inpadocAddsEachPriority() {
        let keys = FamilyLevel.inpadoc.keys(of: patent("EP1A1", priorities: ["US1", "JP5"]))
        #expect(keys == ["S:JP5,US1", "P:US1", "P:JP5"])
    }

    @Test func extendedAddsApplicationsAndContinuations() {
        let keys = FamilyLevel.extended.keys(of: patent("US9B2", priorities: ["US1"], application: "US14168236",
                                                        related: [("continuation", "13006665"), ("related-publication", "20140144707")]))
        #expect(keys.contains("A:US14168236"))
        #expect(keys.contains("A:US1"))
        #expect(keys.contains("A:US13006665"))
        #expect(!keys.contains("A:US20140144707"))
    }

    @Test("a level's keys are the extended keys whose lowest level is at or below it")
    func lowestLevelOfAKeyMatchesTheLevelsKeys() {
        let samples = [
            patent("EP1A1", family: "7", priorities: ["US2", "US1"], application: "EP99123456"),
            patent("US9B2", priorities: ["US1", "JP5"], application: "US14168236", related: [("division", "13006665")]),
            patent("WO3A1", family: "12", application: "IB2011050001"),
        ]
        for sample in samples {
            let all = FamilyLevel.extended.keys(of: sample)
            for level in FamilyLevel.allCases {
                #expect(all.filter { FamilyLevel.lowest(linkedBy: $0).rawValue <= level.rawValue } == level.keys(of: sample),
                        "\(sample.pn) at \(level)")
            }
        }
    }

    @Test func aPatentWithoutLinksHasNoKeys() {
        #expect(FamilyLevel.extended.keys(of: patent("US9B2")).isEmpty)
    }
}
