import PatentModel

/// WIPO ST.96 `PatentPublication` (published by USPTO, JPO and KIPO): identification,
/// application and priorities, IPC and CPC in their split form, titles, parties (person
/// names structured or full, organisations), abstract, claims (with their claim
/// references), description, citations and related documents.
struct ST96Reader: PatentFormatReader {
    static let rootNames: Set<String> = ["PatentPublication"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("BibliographicData") else { throw .missing("BibliographicData") }
        guard let id = bib.child("PatentPublicationIdentification"), let office = id.value("IPOfficeCode"),
              let number = id.value("PublicationNumber"),
              let publication = PublicationNumber(office: office, number: number, kind: id.value("PatentDocumentKindCode")) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: publication)
        let language = Language.normalise(root[attribute: "languageCode"]) ?? Self.officeLanguage(office)
        patent.originalLanguage = language
        patent.publicationDate = id.value("PublicationDate").flatMap(PatentDate.init)
        patent.type = PatentType.from(office: publication.office, kind: publication.kind, publicationYear: patent.publicationDate?.year)
        if bib.child("ApplicationIdentification")?.value("InventionSubjectMatterCategory")?.lowercased() == "design" { patent.type = .design }
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.application = bib.child("ApplicationIdentification").flatMap { Self.reference($0, defaultOffice: office) }
        patent.priorities = bib.all("PriorityClaimBag/PriorityClaim").compactMap { Self.reference($0, defaultOffice: nil) }
        appendUnique(bib.all("PatentClassificationBag/IPCRClassificationBag/IPCRClassification").compactMap(Self.classification), to: &patent.ipc)
        appendUnique(bib.descendants("CPCClassification").compactMap(Self.classification), to: &patent.cpc)
        for title in bib.all("InventionTitleBag/InventionTitle") where !title.text.isEmpty {
            let lang = Language.normalise(title[attribute: "languageCode"]) ?? language
            if !patent.titles.contains(where: { $0.language == lang }) { patent.titles.append(LocalizedText(language: lang, text: title.text)) }
        }
        let parties = bib.child("PartyBag")
        patent.applicants = parties?.all("ApplicantBag/Applicant").compactMap(Self.party) ?? []
        patent.inventors = parties?.all("InventorBag/Inventor").compactMap(Self.party) ?? []
        patent.assignees = parties?.all("AssigneeBag/Assignee").compactMap(Self.party) ?? []
        patent.agents = parties?.all("RegisteredPractitionerBag/RegisteredPractitioner").compactMap(Self.party) ?? []
        patent.citations = bib.all("ReferenceCitationBag/ReferenceCitation").compactMap(Self.citation)
        for division in bib.all("RelatedDocumentBag/Division") + bib.all("RelatedDocumentBag/Continuation")
            + bib.all("RelatedDocumentBag/ContinuationInPart") {
            let relation = division.name == "Division" ? "division" : division.name == "Continuation" ? "continuation" : "continuation-in-part"
            for parent in division.all("ParentDocument/PatentDocumentIdentification/ApplicationIdentification") {
                if let reference = Self.reference(parent, defaultOffice: office) {
                    patent.relatedDocuments.append(RelatedDocument(relation: relation, document: reference))
                }
            }
        }
        for abstract in root.children("Abstract") {
            patent.addAbstract(abstract.paragraphTexts(), language: Language.normalise(abstract[attribute: "languageCode"]) ?? language)
        }
        for claims in root.children("Claims") {
            let lang = Language.normalise(claims[attribute: "languageCode"]) ?? language
            patent.addClaims(claims.children("Claim").compactMap(Self.claim), language: lang)
        }
        for description in root.children("Description") {
            let lang = Language.normalise(description[attribute: "languageCode"]) ?? language
            patent.addDescription(description.descriptionParagraphs(), language: lang)
        }
        return [patent]
    }

    static func officeLanguage(_ office: String) -> String {
        switch office.uppercased() {
        case "JP": return "ja"
        case "KR": return "ko"
        case "CN": return "zh"
        default: return "en"
        }
    }

    /// `ApplicationIdentification` or `PriorityClaim`: office, number text, filing date.
    static func reference(_ element: XMLElement, defaultOffice: String?) -> DocumentReference? {
        guard let number = element.value("ApplicationNumber/ApplicationNumberText") ?? element.value("ApplicationNumberText"),
              let office = element.value("IPOfficeCode") ?? defaultOffice else { return nil }
        return DocumentReference(office: NumberNormalizer.office(office), number: number,
                                 date: element.value("FilingDate").flatMap(PatentDate.init))
    }

    /// IPC or CPC in the split form (`Section`/`CPCSection`, `Class`, `Subclass`, `MainGroup`, `Subgroup`).
    static func classification(_ element: XMLElement) -> String? {
        guard let section = element.value("Section") ?? element.value("CPCSection"), let cls = element.value("Class"),
              let subclass = element.value("Subclass"), let main = element.value("MainGroup") else { return nil }
        return Classification.normalise("\(section)\(cls)\(subclass) \(main)/\(element.value("Subgroup") ?? "00")")
    }

    /// A party's `PublicationContact`: an organisation, a structured person name
    /// (`Last, First`) or a full one; its country where given.
    static func party(_ element: XMLElement) -> Party? {
        let contact = element.child("Contact") ?? element.child("PublicationContact") ?? element
        guard let name = contact.child("Name") else { return nil }
        let text: String?
        if let entity = name.value("EntityName") ?? name.value("OrganizationStandardName") {
            text = entity
        } else if let structured = name.first("PersonName/PersonStructuredName"), let last = structured.value("LastName") {
            text = structured.value("FirstName").map { "\(last), \($0)" } ?? last
        } else {
            text = name.value("PersonName/PersonFullName") ?? name.value("PersonFullName") ?? (name.text.isEmpty ? nil : name.text)
        }
        guard let text else { return nil }
        let country = contact.descendants("CountryCode").first?.text ?? element.descendants("ResidenceCountryCode").first?.text
        return Party(name: text, country: country.flatMap(XMLElement.countryCode))
    }

    static func citation(_ element: XMLElement) -> Citation? {
        let citedBy = element.value("CitedPhaseCategory") ?? element[attribute: "citedBy"]
        if let patent = element.first("PatentCitation/CitedPatentDocumentIdentification"),
           let office = patent.value("IPOfficeCode"), let number = patent.value("DocumentNumber") {
            let cited = PublicationNumber(office: office, number: number, kind: patent.value("PatentDocumentKindCode"))
            return Citation(kind: .patent, number: cited?.normalized, citedBy: citedBy)
        }
        if let text = element.value("NPLCitation/NPLCitationText") { return Citation(kind: .nonPatent, text: text, citedBy: citedBy) }
        return nil
    }

    /// A claim: its number, the text of its `ClaimText` parts (not the number and
    /// category elements beside them), and the claims its `ClaimReference`s name.
    static func claim(_ element: XMLElement) -> Claim? {
        guard let number = element.value("ClaimNumber").flatMap({ Int($0) }) ?? element[attribute: "id"].flatMap(trailingNumber) else { return nil }
        let text = element.children("ClaimText").map(\.text).joined(separator: " ")
        guard !text.isEmpty else { return nil }
        var refs: [Int] = []
        for reference in element.descendants("ClaimReference") {
            for id in (reference[attribute: "idrefs"] ?? "").split(separator: " ") {
                if let n = trailingNumber(String(id)), n < number, !refs.contains(n) { refs.append(n) }
            }
        }
        if refs.isEmpty { refs = ClaimReferences.find(in: text, before: number) }
        return Claim(number: number, text: text, refersTo: refs)
    }
}
