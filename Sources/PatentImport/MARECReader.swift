import PatentModel

/// MAREC / CLEF-IP `patent-document` (EP, US, WO): multilingual titles, abstracts and
/// claims, IPCR and ECLA, priorities, parties in several spellings, family id.
/// The inline `<ref>` citation tags a research project added to descriptions are
/// dropped; their text stays.
struct MARECReader: PatentFormatReader {
    static let rootNames: Set<String> = ["patent-document"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        let bib = root.child("bibliographic-data")
        let pubID = bib?.child("publication-reference")?.preferredDocumentID()
        guard let office = root[attribute: "country"] ?? pubID?.value("country"),
              let serial = root[attribute: "doc-number"] ?? root[attribute: "docnumber"] ?? pubID?.value("doc-number"),
              let number = PublicationNumber(office: office, number: serial, kind: root[attribute: "kind"] ?? pubID?.value("kind")) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"])
        patent.originalLanguage = language
        patent.publicationDate = (root[attribute: "date"] ?? root[attribute: "date-published"] ?? pubID?.value("date"))
            .flatMap(PatentDate.init)
        patent.type = PatentType.from(office: number.office, kind: number.kind, publicationYear: patent.publicationDate?.year)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.docdbFamilyID = root[attribute: "family-id"] ?? bib?.child("publication-reference")?[attribute: "family-id"]
        if let bib {
            patent.application = bib.child("application-reference")?.preferredDocumentID()?.documentReference()
            patent.priorities = bib.all("priority-claims/priority-claim").compactMap { $0.preferredDocumentID()?.documentReference() }
            if let technical = bib.child("technical-data") { readTechnicalData(technical, into: &patent) }
            patent.applicants = Self.parties(bib.all("parties/applicants/applicant"))
            patent.inventors = Self.parties(bib.all("parties/inventors/inventor"))
            patent.assignees = Self.parties(bib.all("parties/assignees/assignee"))
            patent.agents = Self.parties(bib.all("parties/agents/agent"))
            for relation in bib.all("related-documents/relation") {
                if let parent = relation.child("parent-doc")?.preferredDocumentID()?.documentReference() {
                    patent.relatedDocuments.append(RelatedDocument(relation: relation[attribute: "type"] ?? "related", document: parent))
                }
            }
        }
        var abstractLanguages = Set<String>()
        for abstract in root.children("abstract") {
            let lang = Language.normalise(abstract[attribute: "lang"]) ?? language ?? "en"
            let paragraphs = abstract.paragraphTexts()
            if !paragraphs.isEmpty, abstractLanguages.insert(lang).inserted {
                patent.abstracts.append(LocalizedParagraphs(language: lang, paragraphs: paragraphs))
            }
        }
        for claims in root.children("claims") {
            let lang = Language.normalise(claims[attribute: "lang"]) ?? language ?? "en"
            let list = claims.claimList(language: lang)
            if !list.isEmpty, !patent.claims.contains(where: { $0.language == lang }) {
                patent.claims.append(ClaimSet(language: lang, claims: list))
            }
        }
        for description in root.children("description") {
            let lang = Language.normalise(description[attribute: "lang"]) ?? language ?? "en"
            let paragraphs = description.descriptionParagraphs()
            if !paragraphs.isEmpty, !patent.descriptions.contains(where: { $0.language == lang }) {
                patent.descriptions.append(Description(language: lang, paragraphs: paragraphs))
            }
        }
        return [patent]
    }

    private func readTechnicalData(_ technical: XMLElement, into patent: inout Patent) {
        var ipc = technical.all("classifications-ipcr/classification-ipcr").compactMap { Classification.normalise($0.text) }
        for legacy in technical.children("classification-ipc") {
            let main = legacy.child("main-classification").flatMap { Classification.normalise($0.rawText) }
            if let main { ipc.append(main) }
            ipc += legacy.children("further-classification").compactMap {
                Classification.normalise($0.rawText, continuing: main.map { String($0.prefix(4)) })
            }
        }
        appendUnique(ipc, to: &patent.ipc)
        // Not in MAREC itself; written by our corpus generator in the same spelling as IPCR.
        let cpc = technical.all("classifications-cpc/classification-cpc").compactMap { Classification.normalise($0.text) }
        appendUnique(cpc, to: &patent.cpc)
        let ecla = technical.all("classification-ecla/classification-symbol").map { SchemeCode(scheme: "ECLA", code: $0.text) }
        appendUnique(ecla, to: &patent.otherClassifications)
        for national in technical.children("classification-national") {
            let codes = ([national.value("main-classification")] + national.children("further-classification").map(\.text))
                .compactMap { $0 }.filter { !$0.isEmpty }
            appendUnique(codes.map { SchemeCode(scheme: "national", code: $0) }, to: &patent.otherClassifications)
        }
        var titleLanguages = Set<String>()
        for title in technical.children("invention-title") {
            let lang = Language.normalise(title[attribute: "lang"]) ?? "en"
            if !title.text.isEmpty, titleLanguages.insert(lang).inserted {
                patent.titles.append(LocalizedText(language: lang, text: title.text))
            }
        }
        for patcit in technical.all("citations/patent-citations/patcit") {
            let ref = patcit.preferredDocumentID()?.documentReference()
            let number = ref.flatMap { PublicationNumber(office: $0.office, number: $0.number, kind: $0.kind)?.normalized }
            patent.citations.append(Citation(kind: .patent, number: number, citedBy: patcit[attribute: "source"]))
        }
        for npl in technical.all("citations/non-patent-citations/nplcit") where !npl.text.isEmpty {
            patent.citations.append(Citation(kind: .nonPatent, text: npl.text, citedBy: npl[attribute: "source"]))
        }
    }

    /// MAREC lists each party in several spellings (`epo`, `intermediate`, `original`):
    /// the original spelling is shown, else the EPO one, else the intermediate one, and
    /// the other spellings are its variants (`PartySpellings`).
    static func parties(_ elements: [XMLElement]) -> [Party] {
        PartySpellings.parties(elements, formatAttribute: "format", preference: ["original", "epo", "intermediate"]) { format in
            var out: [PartySpellings.Entry] = []
            for element in elements where format == nil || element[attribute: "format"] == format {
                guard let party = element.party(), !out.contains(where: { $0.party == party }) else { continue }
                out.append((party, element[attribute: "sequence"]))
            }
            return out
        }
    }
}
