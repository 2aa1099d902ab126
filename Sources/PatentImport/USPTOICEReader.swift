import PatentModel

/// USPTO "Red Book" ICE XML v4.0–v4.6: `us-patent-grant` and `us-patent-application`.
/// Weekly bundles concatenate many such documents; `DocumentSplitter` separates them.
struct USPTOICEReader: PatentFormatReader {
    static let rootNames: Set<String> = ["us-patent-grant", "us-patent-application"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("us-bibliographic-data-grant") ?? root.child("us-bibliographic-data-application") else {
            throw .missing("us-bibliographic-data")
        }
        guard let pubRef = bib.first("publication-reference/document-id")?.documentReference(defaultOffice: "US"),
              let number = PublicationNumber(office: pubRef.office, number: pubRef.number, kind: pubRef.kind) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"]) ?? "en"
        patent.originalLanguage = language
        patent.publicationDate = pubRef.date ?? root[attribute: "date-publ"].flatMap(PatentDate.init)
        let appElement = bib.child("application-reference")
        patent.application = appElement?.child("document-id")?.documentReference(defaultOffice: "US")
        patent.type = Self.type(kind: number.kind, applicationType: appElement?[attribute: "appl-type"], isGrant: root.name == "us-patent-grant")
        if root.name == "us-patent-grant" { patent.grantDate = patent.publicationDate }

        if let title = bib.value("invention-title") { patent.titles = [LocalizedText(language: language, text: title)] }
        if let abstract = root.child("abstract") {
            patent.addAbstract(abstract.paragraphTexts(), language: language)
        }
        if let claims = root.child("claims") {
            patent.addClaims(claims.claimList(language: language), language: language)
        }
        if let description = root.child("description") {
            patent.addDescription(description.descriptionParagraphs(), language: language)
        }
        readClassifications(bib, into: &patent)
        readParties(bib, into: &patent)
        patent.priorities = bib.all("priority-claims/priority-claim").compactMap { $0.documentReference() }
        patent.relatedDocuments = Self.relatedDocuments(bib.child("us-related-documents"))
        patent.citations = (bib.all("us-references-cited/us-citation") + bib.all("references-cited/citation"))
            .compactMap(Self.citation)
        return [patent]
    }

    static func type(kind: String, applicationType: String?, isGrant: Bool) -> PatentType {
        switch applicationType?.lowercased() {
        case "design": return .design
        case "plant", "reissue": return .other
        default: break
        }
        switch kind.first {
        case "S": return .design
        case "B": return .grantedInvention
        case "A": return isGrant ? .grantedInvention : .application
        case "E", "P", "H": return .other
        default: return isGrant ? .grantedInvention : .application
        }
    }

    private func readClassifications(_ bib: XMLElement, into patent: inout Patent) {
        var ipc = bib.all("classifications-ipcr/classification-ipcr").compactMap { $0.splitClassification() }
        if let legacy = bib.child("classification-ipc") {
            let main = legacy.child("main-classification").flatMap { Classification.normalise($0.rawText) }
            if let main { ipc.append(main) }
            let subclass = main.map { String($0.prefix(4)) }
            ipc += legacy.children("further-classification").compactMap {
                Classification.normalise($0.rawText, continuing: subclass)
            }
        }
        appendUnique(ipc, to: &patent.ipc)
        let cpc = (bib.all("classifications-cpc/main-cpc/classification-cpc")
            + bib.all("classifications-cpc/further-cpc/classification-cpc")).compactMap { $0.splitClassification() }
        appendUnique(cpc, to: &patent.cpc)
        for national in bib.children("classification-national") {
            let codes = ([national.value("main-classification")] + national.children("further-classification").map(\.text))
                .compactMap { $0 }.filter { !$0.isEmpty }
            appendUnique(codes.map { SchemeCode(scheme: "USPC", code: $0) }, to: &patent.otherClassifications)
        }
        if let locarno = bib.first("classification-locarno")?.value("main-classification") {
            appendUnique([SchemeCode(scheme: "LOCARNO", code: locarno)], to: &patent.otherClassifications)
        }
    }

    private func readParties(_ bib: XMLElement, into patent: inout Patent) {
        let parties = bib.child("us-parties") ?? bib.child("parties")
        let applicantElements = (parties?.all("us-applicants/us-applicant") ?? []) + (parties?.all("applicants/applicant") ?? [])
        var inventorElements = (parties?.all("inventors/inventor") ?? []) + bib.all("inventors/inventor")
        var applicants: [XMLElement] = []
        for element in applicantElements {
            let role = element[attribute: "app-type"] ?? "applicant"
            if role == "applicant-inventor" && parties?.name == "parties" {
                // Before v4.2 inventors were listed as applicants.
                inventorElements.append(element)
            } else {
                applicants.append(element)
            }
        }
        patent.applicants = applicants.compactMap { $0.party() }
        patent.inventors = inventorElements.compactMap { $0.party() }
        patent.agents = ((parties?.all("agents/agent") ?? []) + bib.all("agents/agent")).compactMap { $0.party() }
        patent.assignees = bib.all("assignees/assignee").compactMap { $0.party() }
    }

    static func relatedDocuments(_ container: XMLElement?) -> [RelatedDocument] {
        guard let container else { return [] }
        var out: [RelatedDocument] = []
        for relation in container.elements {
            if let parent = relation.first("relation/parent-doc/document-id")?.documentReference(defaultOffice: "US") {
                out.append(RelatedDocument(relation: relation.name, document: parent))
            }
            for parent in relation.all("relation/parent-doc/parent-grant-document/document-id") {
                if let ref = parent.documentReference(defaultOffice: "US") {
                    out.append(RelatedDocument(relation: relation.name + "-grant", document: ref))
                }
            }
            if let direct = relation.child("document-id")?.documentReference(defaultOffice: "US") {
                out.append(RelatedDocument(relation: relation.name, document: direct))
            }
        }
        return out
    }

    static func citation(_ element: XMLElement) -> Citation? {
        let citedBy = element.value("category")
        if let patcit = element.child("patcit"), let ref = patcit.child("document-id")?.documentReference() {
            let number = PublicationNumber(office: ref.office, number: ref.number, kind: ref.kind)?.normalized
            return Citation(kind: .patent, number: number, text: patcit.value("document-id/name"), citedBy: citedBy)
        }
        if let npl = element.child("nplcit"), case let text = npl.text, !text.isEmpty {
            return Citation(kind: .nonPatent, text: text, citedBy: citedBy)
        }
        return nil
    }
}
