import PatentModel

/// JPO `jp-official-gazette`: kind from `kind-of-st16`, IPC, FI and F-terms,
/// applicants and agents, inventors, priorities, claims and description.
struct JPOReader: PatentFormatReader {
    static let rootNames: Set<String> = ["jp-official-gazette"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        guard let bib = root.child("bibliographic-data") else { throw .missing("bibliographic-data") }
        guard let pub = bib.first("publication-reference/document-id")?.documentReference(defaultOffice: "JP") else {
            throw .missing("publication number")
        }
        let kind = root[attribute: "kind-of-st16"] ?? Self.kindInParentheses(pub.kind)
        guard let number = PublicationNumber(office: pub.office, number: pub.number, kind: kind) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"]) ?? "ja"
        patent.originalLanguage = language
        patent.publicationDate = pub.date
        patent.type = PatentType.from(office: "JP", kind: number.kind)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.application = bib.first("application-reference/document-id")?.documentReference(defaultOffice: "JP")
        patent.priorities = bib.all("priority-claims/priority-claim").compactMap { $0.documentReference() }
        if let title = bib.value("invention-title") { patent.titles = [LocalizedText(language: language, text: title)] }
        let ipcElements = bib.all("classification-ipc/main-clsf") + bib.all("classification-ipc/further-clsf")
        appendUnique(ipcElements.compactMap { Classification.normalise($0.text) }, to: &patent.ipc)
        let fi = bib.all("classification-national/main-clsf") + bib.all("classification-national/further-clsf")
        appendUnique(fi.map { SchemeCode(scheme: "FI", code: $0.text) }, to: &patent.otherClassifications)
        appendUnique(bib.all("f-term-info/f-term").map { SchemeCode(scheme: "F-TERM", code: $0.text) }, to: &patent.otherClassifications)
        let article = bib.all("parties/applicants-agents-article/applicants-agents")
        patent.applicants = article.flatMap { $0.children("applicant") }.compactMap { $0.party() }
        patent.agents = article.flatMap { $0.children("agent") }.compactMap { $0.party() }
        patent.inventors = bib.all("parties/inventors/inventor").compactMap { $0.party() }
        readBody(root, abstract: "abstract", claims: "claims", description: "description", language: language, into: &patent)
        return [patent]
    }

    /// `公開特許公報(A)` → `A`, `特許公報(B2)` → `B2`.
    static func kindInParentheses(_ text: String?) -> String? {
        guard let text, let open = text.lastIndex(where: { $0 == "(" || $0 == "（" }) else { return text }
        let inner = text[text.index(after: open)...].prefix { $0 != ")" && $0 != "）" }
        return String(inner)
    }
}
