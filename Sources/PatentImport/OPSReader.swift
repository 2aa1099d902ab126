import PatentModel

/// EPO OPS 3.2 answers (`world-patent-data`) and DOCDB bulk `exchange-document(s)`:
/// bibliographic records with multilingual titles and abstracts, IPCR/CPC, priorities,
/// citations and the DOCDB family id; OPS family member lists; and OPS/MAREC
/// `fulltext-document` claims and descriptions, which the store merges into the
/// record of the same publication.
struct OPSReader: PatentFormatReader {
    static let rootNames: Set<String> = ["world-patent-data", "exchange-documents", "exchange-document",
                                         "fulltext-documents", "fulltext-document"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        var patents: [Patent] = []
        for document in Self.find("exchange-document", in: root) where Self.holdsData(document) {
            if let patent = exchangeDocument(document) { patents.append(patent) }
        }
        for member in Self.find("family-member", in: root) {
            if let patent = familyMember(member) { patents.append(patent) }
        }
        for document in Self.find("fulltext-document", in: root) {
            if let patent = fulltextDocument(document) { patents.append(patent) }
        }
        if patents.isEmpty {
            if root.name == "world-patent-data" { throw NonPatentDocument.opsAnswer(root).map(ImportProblem.notPatent) ?? .noPatent }
            throw .missing("publication number")
        }
        return patents
    }

    /// An exchange document with data: DOCDB bulk files mark each one's exchange status
    /// (`A` added, `C` changed, `R` replaced — all full records); OPS marks a number it
    /// does not know `not found`, and DOCDB a withdrawn record `D` (nothing to import:
    /// the store keeps what it has).
    static func holdsData(_ document: XMLElement) -> Bool {
        guard let status = document[attribute: "status"]?.lowercased() else { return true }
        return status != "not found" && status != "d" && status != "deleted"
    }

    /// The elements with the name: the root itself, or descendants.
    static func find(_ name: String, in root: XMLElement) -> [XMLElement] {
        root.name == name ? [root] : root.descendants(name)
    }

    // MARK: exchange-document

    func exchangeDocument(_ document: XMLElement) -> Patent? {
        let bib = document.child("bibliographic-data")
        let pubID = bib?.child("publication-reference")?.preferredDocumentID()
        let office = document[attribute: "country"] ?? pubID?.value("country")
        let serial = document[attribute: "doc-number"] ?? pubID?.value("doc-number")
        let kind = document[attribute: "kind"] ?? pubID?.value("kind")
        guard let office, let serial, let number = PublicationNumber(office: office, number: serial, kind: kind) else { return nil }
        var patent = Patent(publication: number)
        patent.docdbFamilyID = document[attribute: "family-id"]
        patent.publicationDate = pubID?.value("date").flatMap(PatentDate.init)
        patent.type = PatentType.from(office: number.office, kind: number.kind, publicationYear: patent.publicationDate?.year)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        patent.originalLanguage = Language.normalise(document[attribute: "lang"])
        guard let bib else { return patent }
        patent.application = bib.child("application-reference")?.preferredDocumentID()?.documentReference()
        patent.priorities = Self.inPreferredFormat(bib.all("priority-claims/priority-claim"))
            .compactMap { $0.preferredDocumentID()?.documentReference() }
        var seenTitleLanguages = Set<String>()
        for title in bib.children("invention-title") {
            let lang = Language.normalise(title[attribute: "lang"]) ?? "en"
            if !title.text.isEmpty, seenTitleLanguages.insert(lang).inserted {
                patent.titles.append(LocalizedText(language: lang, text: title.text))
            }
        }
        var seenAbstractLanguages = Set<String>()
        for abstract in document.children("abstract") {
            let lang = Language.normalise(abstract[attribute: "lang"]) ?? "en"
            let paragraphs = abstract.paragraphTexts()
            if !paragraphs.isEmpty, seenAbstractLanguages.insert(lang).inserted {
                patent.abstracts.append(LocalizedParagraphs(language: lang, paragraphs: paragraphs))
            }
        }
        readClassifications(bib, into: &patent)
        patent.applicants = Self.parties(bib.all("parties/applicants/applicant"), nameElement: "applicant-name")
        patent.inventors = Self.parties(bib.all("parties/inventors/inventor"), nameElement: "inventor-name")
        patent.agents = Self.parties(bib.all("parties/agents/agent"), nameElement: "agent-name")
        patent.citations = bib.all("references-cited/citation").compactMap(Self.citation)
        return patent
    }

    private func readClassifications(_ bib: XMLElement, into patent: inout Patent) {
        var ipc = bib.all("classifications-ipcr/classification-ipcr").compactMap { $0.splitClassification() }
        ipc += bib.all("classification-ipc/text").compactMap { Classification.normalise($0.text) }
        appendUnique(ipc, to: &patent.ipc)
        for classification in bib.descendants("patent-classification") {
            let scheme = classification.child("classification-scheme")?[attribute: "scheme"]?.uppercased() ?? ""
            // OPS gives the split form, DOCDB bulk data one `classification-symbol`.
            guard let code = classification.splitClassification()
                    ?? classification.value("classification-symbol").flatMap({ Classification.normalise($0) }) else { continue }
            if scheme.hasPrefix("CPC") {
                appendUnique([code], to: &patent.cpc)
            } else if !scheme.isEmpty {
                appendUnique([SchemeCode(scheme: scheme, code: code)], to: &patent.otherClassifications)
            }
        }
    }

    /// DOCDB bulk data repeats each priority claim per data format; one format is kept
    /// (`docdb`, else `epodoc`, else `original`).
    static func inPreferredFormat(_ elements: [XMLElement]) -> [XMLElement] {
        for format in ["docdb", "epodoc", "original"] {
            let chosen = elements.filter { $0[attribute: "data-format"] == format }
            if !chosen.isEmpty { return chosen }
        }
        return elements
    }

    /// Parties given in several data formats: the `original` spelling is shown, else
    /// DOCDB's as-filed `docdba`, else `docdb`, else `epodoc`, and the other formats'
    /// spellings are its variants (`PartySpellings`); an EPODOC `NAME [US]` suffix
    /// becomes the country.
    static func parties(_ elements: [XMLElement], nameElement: String) -> [Party] {
        PartySpellings.parties(elements, formatAttribute: "data-format", preference: ["original", "docdba", "docdb", "epodoc"]) { format in
            elements.filter { format == nil || $0[attribute: "data-format"] == format }.compactMap { element in
                guard var name = element.value("\(nameElement)/name") ?? element.party()?.name else { return nil }
                var country = element.value("residence/country")
                if name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                    let code = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                    if code.count == 2 { country = country ?? code }
                    name = String(name[..<open]).trimmedSpaces
                }
                name = name.trimmingTrailingComma
                return (Party(name: name, country: country.flatMap(XMLElement.countryCode)), element[attribute: "sequence"])
            }
        }
    }

    static func citation(_ element: XMLElement) -> Citation? {
        let citedBy = element[attribute: "cited-by"]
        if let patcit = element.child("patcit"), let ref = patcit.preferredDocumentID()?.documentReference() {
            let number = PublicationNumber(office: ref.office, number: ref.number, kind: ref.kind)?.normalized
            return Citation(kind: .patent, number: number, citedBy: citedBy)
        }
        if let npl = element.child("nplcit"), case let text = npl.text, !text.isEmpty {
            return Citation(kind: .nonPatent, text: text, citedBy: citedBy)
        }
        return nil
    }

    // MARK: family members

    func familyMember(_ member: XMLElement) -> Patent? {
        if let document = member.child("exchange-document"), var patent = exchangeDocument(document) {
            patent.docdbFamilyID = patent.docdbFamilyID ?? member[attribute: "family-id"]
            return patent
        }
        guard let pubID = member.child("publication-reference")?.preferredDocumentID(),
              let ref = pubID.documentReference(),
              let number = PublicationNumber(office: ref.office, number: ref.number, kind: ref.kind) else { return nil }
        var patent = Patent(publication: number)
        patent.docdbFamilyID = member[attribute: "family-id"]
        patent.publicationDate = ref.date
        patent.type = PatentType.from(office: number.office, kind: number.kind, publicationYear: ref.date?.year)
        if patent.isGrantPublication { patent.grantDate = ref.date }
        patent.application = member.child("application-reference")?.preferredDocumentID()?.documentReference()
        patent.priorities = member.children("priority-claim").compactMap { $0.preferredDocumentID()?.documentReference() }
        return patent
    }

    // MARK: full text

    func fulltextDocument(_ document: XMLElement) -> Patent? {
        guard let ref = document.first("bibliographic-data/publication-reference")?.preferredDocumentID()?.documentReference(),
              let number = PublicationNumber(office: ref.office, number: ref.number, kind: ref.kind) else { return nil }
        var patent = Patent(publication: number)
        for description in document.children("description") {
            let lang = Language.normalise(description[attribute: "lang"]) ?? "en"
            patent.addDescription(description.descriptionParagraphs(), language: lang)
        }
        for claims in document.children("claims") {
            let lang = Language.normalise(claims[attribute: "lang"]) ?? "en"
            let list = Self.fulltextClaims(claims)
            if !list.isEmpty { patent.claims.append(ClaimSet(language: lang, claims: list)) }
        }
        return patent
    }

    /// OPS puts all claims in one `claim` with a `claim-text` per claim ("1. …"), or
    /// one `claim-text` with every claim on its own line.
    static func fulltextClaims(_ claims: XMLElement) -> [Claim] {
        let texts = claims.descendants("claim-text")
        let pieces: [String] = texts.count > 1 ? texts.map(\.text) : ClaimSplitter.split(claims.rawText)
        var out: [Claim] = []
        for piece in pieces where !piece.isEmpty {
            let (parsed, body) = ClaimSplitter.leadingNumber(piece)
            let number = parsed ?? (out.count + 1)
            let refs = ClaimReferences.find(in: body, before: number)
            out.append(Claim(number: number, text: piece, refersTo: Array(Set(refs)).sorted()))
        }
        return out
    }
}

/// Splits plain claim text into claims at lines starting with a claim number.
enum ClaimSplitter {
    static func split(_ raw: String) -> [String] {
        var claims: [String] = []
        var current = ""
        for line in raw.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let text = String(line).trimmedSpaces
            if text.isEmpty { continue }
            if leadingNumber(text).0 != nil, !current.isEmpty {
                claims.append(current)
                current = text
            } else {
                current = current.isEmpty ? text : current + " " + text
            }
        }
        if !current.isEmpty { claims.append(current) }
        return claims
    }

    /// `12. A device…` → (12, "A device…").
    static func leadingNumber(_ text: String) -> (Int?, String) {
        let digits = text.prefix { $0.isASCIIDigitChar }
        guard !digits.isEmpty, digits.count < 4 else { return (nil, text) }
        let rest = text.dropFirst(digits.count)
        guard let mark = rest.first, mark == "." || mark == ")" else { return (nil, text) }
        return (Int(digits), String(rest.dropFirst()).trimmedSpaces)
    }
}

extension String {
    var trimmingTrailingComma: String {
        var s = self
        while s.last == "," || s.last == " " { s.removeLast() }
        return s
    }
}
