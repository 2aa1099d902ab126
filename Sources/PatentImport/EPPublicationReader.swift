import PatentModel

/// EPO publication server `ep-patent-document`, DTD v1.0–v1.5.1: the INID-coded
/// bibliography (`SDOBI`, B100…B800) with titles in DE/EN/FR, abstract, claims per
/// language (B documents carry all three), description.
struct EPPublicationReader: PatentFormatReader {
    static let rootNames: Set<String> = ["ep-patent-document"]

    func read(_ root: XMLElement) throws(ImportProblem) -> [Patent] {
        let bib = root.child("SDOBI")
        let office = bib?.value("B100/B190") ?? root[attribute: "country"] ?? "EP"
        let serial = bib?.value("B100/B110") ?? root[attribute: "doc-number"]
        let kind = bib?.value("B100/B130") ?? root[attribute: "kind"]
        guard let serial, let number = PublicationNumber(office: office, number: serial, kind: kind) else {
            throw .missing("publication number")
        }
        var patent = Patent(publication: number)
        let language = Language.normalise(root[attribute: "lang"] ?? bib?.value("B200/B260"))
        patent.originalLanguage = language
        patent.publicationDate = (bib?.value("B100/B140/date") ?? root[attribute: "date-publ"]).flatMap(PatentDate.init)
        patent.type = number.kind.hasPrefix("B") ? .grantedInvention : .application
        if patent.type == .grantedInvention {
            patent.grantDate = bib?.value("B400/B450/date").flatMap(PatentDate.init) ?? patent.publicationDate
        }
        if let bib {
            if let appNumber = bib.value("B200/B210") {
                patent.application = DocumentReference(office: office, number: appNumber,
                                                       date: bib.value("B200/B220/date").flatMap(PatentDate.init))
            }
            patent.priorities = bib.all("B300").flatMap(Self.priorities)
            readClassifications(bib, into: &patent)
            patent.titles = Self.titles(bib.children("B500").flatMap { $0.children("B540") })
            patent.applicants = bib.all("B700/B710/B711").compactMap { $0.party() }
            patent.inventors = bib.all("B700/B720/B721").compactMap { $0.party() }
            patent.assignees = bib.all("B700/B730/B731").compactMap { $0.party() }
            patent.agents = bib.all("B700/B740/B741").compactMap { $0.party() }
            patent.citations = bib.all("B500/B560/B561").map { Citation(kind: .patent, number: Self.citedNumber($0.text), text: $0.text) }
                + bib.all("B500/B560/B562").map { Citation(kind: .nonPatent, text: $0.text) }
            for parent in bib.all("B600/B620/parent/pdoc") + bib.all("B600/B620EP/parent/pdoc") {
                if let anum = parent.value("dnum/anum") {
                    patent.relatedDocuments.append(RelatedDocument(relation: "division", document: DocumentReference(
                        office: "EP", number: anum, date: parent.value("date").flatMap(PatentDate.init))))
                }
            }
        }
        for abstract in root.children("abstract") {
            let lang = Language.normalise(abstract[attribute: "lang"]) ?? language ?? "en"
            patent.addAbstract(abstract.paragraphTexts(), language: lang)
        }
        for claims in root.children("claims") {
            let lang = Language.normalise(claims[attribute: "lang"]) ?? language ?? "en"
            patent.addClaims(claims.claimList(language: lang), language: lang)
        }
        for description in root.children("description") {
            let lang = Language.normalise(description[attribute: "lang"]) ?? language ?? "en"
            patent.addDescription(description.descriptionParagraphs(), language: lang)
        }
        return [patent]
    }

    /// B300 holds one or more B310 (number), B320 (date), B330 (country) triplets in order.
    static func priorities(_ b300: XMLElement) -> [DocumentReference] {
        var out: [DocumentReference] = []
        var number: String?
        var date: PatentDate?
        func flush(_ country: String?) {
            if let number, let country { out.append(DocumentReference(office: country, number: number, date: date)) }
        }
        for element in b300.elements {
            switch element.name {
            case "B310": number = element.text
            case "B320": date = element.value("date").flatMap(PatentDate.init)
            case "B330":
                flush(element.value("ctry"))
                number = nil
                date = nil
            default: continue
            }
        }
        return out
    }

    static func titles(_ b540s: [XMLElement]) -> [LocalizedText] {
        var out: [LocalizedText] = []
        for b540 in b540s {
            var language: String?
            for element in b540.elements {
                if element.name == "B541" { language = Language.normalise(element.text) }
                if element.name == "B542", let language, !element.text.isEmpty {
                    out.append(LocalizedText(language: language, text: element.text))
                }
            }
        }
        return out
    }

    private func readClassifications(_ bib: XMLElement, into patent: inout Patent) {
        var ipc = bib.all("B500/B510EP/classification-ipcr").compactMap { $0.splitClassification() }
        for legacy in bib.all("B500/B510") {
            for element in legacy.elements where element.name == "B511" || element.name == "B512" {
                if let code = Self.legacyIPC(element.text) { ipc.append(code) }
            }
        }
        appendUnique(ipc, to: &patent.ipc)
        let cpc = bib.all("B500/B520EP/classifications-cpc/classification-cpc").compactMap { $0.splitClassification() }
        appendUnique(cpc, to: &patent.cpc)
    }

    /// Pre-IPCR spelling with the edition in front: ` 5C 12N  15/28   A` → `C12N15/28`.
    static func legacyIPC(_ text: String) -> String? {
        var chars = Array(text.drop { $0 == " " || $0.isNumber })
        if chars.count > 2, chars[0].isLetter, chars[1] == " " { chars.remove(at: 1) }
        return Classification.normalise(String(chars))
    }

    /// `EP-A2- 1 186 247` → `EP1186247A2`; nil when the text is not a number.
    static func citedNumber(_ text: String) -> String? {
        let parts = text.split(separator: "-", maxSplits: 2).map { $0.trimmingCharacters() }
        guard parts.count == 3, parts[0].count == 2 else { return nil }
        let kind = parts[1].count > 1 ? String(parts[1].dropFirst()) : ""
        let serial = parts[2].split(separator: "(").first.map(String.init) ?? parts[2]
        return PublicationNumber(office: parts[0], number: serial, kind: kind.isEmpty ? nil : kind)?.normalized
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmedSpaces }
}

extension String {
    var trimmedSpaces: String { XMLText.collapse(self) }
}
