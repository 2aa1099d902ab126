import PatentModel

/// USPTO pre-2005 XML: Patent Application Publications (`patent-application-publication`,
/// PAP v1.5/1.6, 2001–2004) and grants in ST.32 (`PATDOC`, PG v2.4/2.5, 2001–2004, also
/// the SGML-derived samples).
struct USPTOApplicationPublicationReader: PatentFormatReader {
    static let rootNames: Set<String> = ["patent-application-publication"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("subdoc-bibliographic-information") else { throw .missing("subdoc-bibliographic-information") }
        guard let serial = bib.value("document-id/doc-number"),
              let number = PublicationNumber(office: "US", number: serial, kind: bib.value("document-id/kind-code") ?? "A1") else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        patent.originalLanguage = "en"
        patent.type = .application
        patent.publicationDate = bib.value("document-id/document-date").flatMap(PatentDate.init)
        if let filing = bib.child("domestic-filing-data"), let app = filing.value("application-number/doc-number") {
            patent.application = DocumentReference(office: "US", number: app, date: filing.value("filing-date").flatMap(PatentDate.init))
        }
        let technical = bib.child("technical-information")
        if let title = technical?.value("title-of-invention") { patent.titles = [LocalizedText(language: "en", text: title)] }
        let ipc = (technical?.descendants("ipc") ?? []).compactMap { Classification.normalise($0.text) }
        appendUnique(ipc, to: &patent.ipc)
        let uspc = (technical?.descendants("uspc") ?? []).compactMap { uspc -> SchemeCode? in
            guard let cls = uspc.value("class") else { return nil }
            return SchemeCode(scheme: "USPC", code: cls + "/" + (uspc.value("subclass") ?? ""))
        }
        appendUnique(uspc, to: &patent.otherClassifications)
        let inventors = (bib.child("inventors")?.elements ?? []).filter { $0.name.hasSuffix("inventor") }
        patent.inventors = inventors.compactMap(Self.person)
        patent.assignees = bib.descendants("assignee").compactMap { assignee in
            (assignee.value("organization-name") ?? assignee.child("name").flatMap(Self.personName)).map { Party(name: $0) }
        }
        for priority in bib.descendants("foreign-priority-data") {
            if let number = priority.value("priority-application-number/doc-number"), let country = priority.value("country-code") {
                patent.priorities.append(DocumentReference(office: country, number: number,
                                                           date: priority.value("filing-date").flatMap(PatentDate.init)))
            }
        }
        for parent in bib.descendants("parent") {
            if let app = parent.value("document-id/doc-number") {
                patent.relatedDocuments.append(RelatedDocument(relation: "continuation", document: DocumentReference(
                    office: "US", number: app, date: parent.value("document-id/document-date").flatMap(PatentDate.init))))
            }
        }
        if let abstract = root.child("subdoc-abstract") {
            let paragraphs = abstract.children("paragraph").map(\.text).filter { !$0.isEmpty }
            patent.addAbstract(paragraphs, language: "en")
        }
        if let description = root.child("subdoc-description") {
            patent.addDescription(description.descriptionParagraphs(), language: "en")
        }
        if let claims = root.child("subdoc-claims") {
            patent.addClaims(claims.claimList(language: "en"), language: "en")
        }
        return [patent]
    }

    static func personName(_ name: XMLElement) -> String? {
        guard let family = name.value("family-name") else { return name.text.isEmpty ? nil : name.text }
        let given = [name.value("given-name"), name.value("middle-name")].compactMap { $0 }.joined(separator: " ")
        return given.isEmpty ? family : "\(family), \(given)"
    }

    static func person(_ element: XMLElement) -> Party? {
        guard let name = element.child("name").flatMap(personName) else { return nil }
        let country = element.value("residence/residence-us/country-code") ?? element.value("residence/residence-non-us/country-code")
            ?? element.value("address/country/country-code")
        return Party(name: name, country: country.flatMap(XMLElement.countryCode))
    }
}

struct USPTOGrantST32Reader: PatentFormatReader {
    static let rootNames: Set<String> = ["PATDOC"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("SDOBI") else { throw .missing("SDOBI") }
        guard let serial = bib.value("B100/B110"),
              let number = PublicationNumber(office: bib.value("B100/B190") ?? "US", number: serial, kind: bib.value("B100/B130")) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        patent.originalLanguage = "en"
        patent.publicationDate = bib.value("B100/B140").flatMap(PatentDate.init)
        patent.grantDate = patent.publicationDate
        patent.type = USPTOICEReader.type(kind: number.kind, applicationType: nil, isGrant: true)
        if let app = bib.value("B200/B210") {
            patent.application = DocumentReference(office: "US", number: app, date: bib.value("B200/B220").flatMap(PatentDate.init))
        }
        for b300 in bib.children("B300") {
            if let number = b300.value("B310"), let country = b300.value("B330") {
                patent.priorities.append(DocumentReference(office: country, number: number, date: b300.value("B320").flatMap(PatentDate.init)))
            }
        }
        let classes = bib.all("B500/B510")
        var ipc: [String] = []
        for b510 in classes {
            // Fixed-width values: the spaces are significant (`G06F  944` = G06F 9/44).
            let main = b510.child("B511").flatMap { Classification.normalise($0.rawText) }
            if let main { ipc.append(main) }
            ipc += b510.children("B512").compactMap { Classification.normalise($0.rawText, continuing: main.map { String($0.prefix(4)) }) }
        }
        appendUnique(ipc, to: &patent.ipc)
        let uspc = bib.all("B500/B520").flatMap { $0.elements }.filter { $0.name == "B521" || $0.name == "B522" }
        appendUnique(uspc.map { SchemeCode(scheme: "USPC", code: $0.text) }, to: &patent.otherClassifications)
        if let title = bib.value("B500/B540") { patent.titles = [LocalizedText(language: "en", text: title)] }
        for pcit in bib.all("B500/B560/B561/PCIT") {
            let doc = pcit.child("DOC")
            if let serial = doc?.value("DNUM"),
               let cited = PublicationNumber(office: doc?.value("CTRY") ?? "US", number: serial, kind: doc?.value("KIND")) {
                patent.citations.append(Citation(kind: .patent, number: cited.normalized))
            }
        }
        patent.citations += bib.all("B500/B560/B562/NCIT").map { Citation(kind: .nonPatent, text: $0.text) }
        patent.inventors = bib.all("B700/B720/B721").compactMap(Self.party)
        patent.assignees = bib.all("B700/B730/B731").compactMap(Self.party)
        patent.agents = bib.all("B700/B740/B741").compactMap(Self.party)
        for parent in bib.child("B600")?.descendants("PDOC") ?? [] {
            if let app = parent.value("DOC/DNUM") {
                patent.relatedDocuments.append(RelatedDocument(relation: "continuation", document: DocumentReference(
                    office: "US", number: app, date: parent.value("DOC/DATE").flatMap(PatentDate.init))))
            }
        }
        if let abstract = root.child("SDOAB") {
            let paragraphs = abstract.descendants("PARA").map(\.text).filter { !$0.isEmpty }
            patent.addAbstract(paragraphs, language: "en")
        }
        if let description = root.child("SDODE") {
            patent.addDescription(description.descriptionParagraphs(), language: "en")
        }
        if let claims = root.child("SDOCL") {
            patent.addClaims(claims.claimList(language: "en"), language: "en")
        }
        return [patent]
    }

    /// `PARTY-US/NAM` with `ONM` (organisation) or `SNM` + `FNM` (person), `ADR/CTRY`.
    static func party(_ element: XMLElement) -> Party? {
        guard let nam = element.first("PARTY-US/NAM") else { return nil }
        let name: String
        if let org = nam.value("ONM") {
            name = org
        } else if let surname = nam.value("SNM") {
            name = nam.value("FNM").map { "\(surname), \($0)" } ?? surname
        } else {
            return nil
        }
        return Party(name: name, country: element.value("PARTY-US/ADR/CTRY").flatMap(XMLElement.countryCode))
    }
}
