import PatentModel

/// CNIPA's current business schema (`PatentDocumentAndRelated`, CamelCase elements).
struct CNIPABusinessReader: PatentFormatReader {
    static let rootNames: Set<String> = ["PatentDocumentAndRelated"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("BibliographicData") else { throw .missing("BibliographicData") }
        let pubRefs = bib.children("PublicationReference")
        let pubRef = pubRefs.first { $0[attribute: "dataFormat"] == "original" } ?? pubRefs.first
        guard let pub = pubRef?.child("DocumentID")?.documentReference(defaultOffice: root[attribute: "country"] ?? "CN"),
              let number = PublicationNumber(office: pub.office, number: pub.number, kind: pub.kind ?? root[attribute: "kind"]) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"]) ?? "zh"
        patent.originalLanguage = language
        patent.publicationDate = pub.date ?? root[attribute: "datePublication"].flatMap(PatentDate.init)
        patent.type = PatentType.from(office: number.office, kind: number.kind)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.application = bib.first("ApplicationReference/DocumentID")?.documentReference(defaultOffice: number.office)
        // Priorities come in several data formats; the office's original spelling is kept.
        let priorities = bib.all("PriorityDetails/Priority")
        let originals = priorities.filter { $0[attribute: "dataFormat"] == "original" }
        patent.priorities = (originals.isEmpty ? priorities : originals).compactMap { $0.documentReference() }
        let ipc = bib.all("ClassificationIPCRDetails/ClassificationIPCR").compactMap { $0.splitClassification() }
        appendUnique(ipc, to: &patent.ipc)
        for title in bib.children("InventionTitle") where !title.text.isEmpty {
            let lang = Language.normalise(title[attribute: "lang"]) ?? language
            if !patent.titles.contains(where: { $0.language == lang }) {
                patent.titles.append(LocalizedText(language: lang, text: title.text))
            }
        }
        for kind in ["Division", "Continuation", "ContinuationInPart"] {
            for parent in bib.all("RelatedDocuments/\(kind)/DocumentsRelation/ParentDocument/DocumentID") {
                if let ref = parent.documentReference(defaultOffice: number.office) {
                    patent.relatedDocuments.append(RelatedDocument(relation: kind.lowercased(), document: ref))
                }
            }
        }
        patent.applicants = bib.all("Parties/ApplicantDetails/Applicant").compactMap { $0.party() }
        patent.inventors = bib.all("Parties/InventorDetails/Inventor").compactMap { $0.party() }
        patent.agents = bib.all("Parties/AgentDetails/Agent").compactMap { $0.party() }
        patent.assignees = bib.all("Parties/AssigneeDetails/Assignee").compactMap { $0.party() }
        readBody(root, abstract: "Abstract", claims: "Claims", description: "Description", language: language, into: &patent)
        return [patent]
    }
}

/// CNIPA's older `cn-patent-document` schema.
struct CNPatentDocumentReader: PatentFormatReader {
    static let rootNames: Set<String> = ["cn-patent-document"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("cn-bibliographic-data") else { throw .missing("cn-bibliographic-data") }
        guard let pub = bib.first("cn-publication-reference/document-id")?.documentReference(defaultOffice: "CN"),
              let number = PublicationNumber(office: pub.office, number: pub.number, kind: pub.kind) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"]) ?? "zh"
        patent.originalLanguage = language
        patent.publicationDate = pub.date
        let applicationType = bib.child("application-reference")?[attribute: "appl-type"] ?? ""
        patent.type = applicationType.contains("实用新型") ? .utilityModel
            : applicationType.contains("外观设计") ? .design : PatentType.from(office: "CN", kind: number.kind)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.application = bib.first("application-reference/document-id")?.documentReference(defaultOffice: "CN")
        patent.priorities = bib.all("priority-claims/priority-claim").compactMap { $0.documentReference() }
        let ipc = bib.all("classifications-ipcr/classification-ipcr").compactMap { $0.splitClassification() }
        appendUnique(ipc, to: &patent.ipc)
        if let title = bib.value("invention-title") { patent.titles = [LocalizedText(language: language, text: title)] }
        if let abstract = bib.child("abstract") {
            patent.addAbstract(abstract.paragraphTexts(), language: language)
        }
        patent.applicants = bib.all("cn-parties/cn-applicants/cn-applicant").compactMap { $0.party() }
        patent.inventors = bib.all("cn-parties/cn-inventors/cn-inventor").compactMap { $0.party() }
        patent.agents = bib.all("cn-parties/cn-agents/cn-agent").compactMap { $0.party() }
        patent.assignees = bib.all("cn-parties/cn-assignees/cn-assignee").compactMap { $0.party() }
        for relation in bib.descendants("relation") {
            if let parent = relation.child("parent-doc")?.child("document-id")?.documentReference(defaultOffice: "CN") {
                patent.relatedDocuments.append(RelatedDocument(relation: "parent", document: parent))
            }
        }
        if let body = root.child("application-body") {
            readBody(body, abstract: "abstract", claims: "claims", description: "description", language: language, into: &patent)
        }
        return [patent]
    }
}

/// Reads abstract, claims and description children with the given element names.
func readBody(_ root: XMLElement, abstract: String, claims: String, description: String,
              language: String, into patent: inout Patent) {
    if patent.abstracts.isEmpty {
        for element in root.children(abstract) {
            let lang = Language.normalise(element[attribute: "lang"]) ?? language
            patent.addAbstract(element.paragraphTexts(), language: lang)
        }
    }
    for element in root.children(claims) {
        let lang = Language.normalise(element[attribute: "lang"]) ?? language
        patent.addClaims(element.claimList(language: lang), language: lang)
    }
    for element in root.children(description) {
        let lang = Language.normalise(element[attribute: "lang"]) ?? language
        patent.addDescription(element.descriptionParagraphs(), language: lang)
    }
}
