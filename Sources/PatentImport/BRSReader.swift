import PatentModel

/// USPTO CSS BRS text (the examiners' search system's export, in the USPTO's
/// patentpublicdata samples): each document follows `*** BRS DOCUMENT BOUNDARY ***`
/// as lines `TAG value` (tags of 2–5 capitals), continuation lines indented six spaces.
/// Before each boundary stands the next document's one-line summary (number, kind,
/// date, application, size, tab-separated) and its title; the fields repeat them.
///
/// Text fields (`ABPR` abstract, `BSTX`/`DETX`/`CRTX` description, `CLPR` claims) give a
/// paragraph per line whose value starts with a space; a value without one is a
/// heading (`BSTX BACKGROUND`). `N/A` means no value.
struct BRSReader {
    static let boundary = "*** BRS DOCUMENT BOUNDARY ***"

    /// Whether a document is BRS text (the boundary within its first lines).
    static func detect(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(2048), as: UTF8.self)
        return head.contains(boundary)
    }

    fileprivate struct Field {
        let tag: String
        var value: String
    }

    func read(_ bytes: [UInt8]) throws(ImportProblem) -> [Patent] {
        let text = String(decoding: bytes, as: UTF8.self)
        var patents: [Patent] = []
        for chunk in text.components(separatedBy: Self.boundary).dropFirst() {
            var fields: [Field] = []
            for line in chunk.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
                // The next document's summary line ends this one (its title follows it).
                if line.contains("\t") { break }
                if line.hasPrefix("      "), !fields.isEmpty {
                    fields[fields.count - 1].value += " " + String(line).trimmedSpaces
                    continue
                }
                let tag = line.prefix { $0.isASCII && $0.isUppercase }
                guard (2...5).contains(tag.count), line.dropFirst(tag.count).first == " " else { continue }
                fields.append(Field(tag: String(tag), value: String(line.dropFirst(tag.count + 1))))
            }
            if let patent = Self.patent(fields) { patents.append(patent) }
        }
        if patents.isEmpty { throw .missing("publication number (WKU)") }
        return patents
    }

    private static func patent(_ fields: [Field]) -> Patent? {
        func values(_ tag: String) -> [String] {
            fields.filter { $0.tag == tag }.map(\.value.trimmedSpaces).filter { !$0.isEmpty && $0 != "N/A" }
        }
        func value(_ tag: String) -> String? { values(tag).first }
        guard let wku = value("WKU"), let number = PublicationNumber(office: "US", number: wku, kind: value("APT") ?? "") else { return nil }
        var patent = Patent(publication: number)
        patent.originalLanguage = "en"
        patent.type = PatentType.from(office: "US", kind: number.kind)
        patent.publicationDate = value("GISD").flatMap(PatentDate.init)
        if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
        if let application = value("APNR") ?? value("APP") {
            patent.application = DocumentReference(office: "US", number: application, date: value("AFD").flatMap(PatentDate.init))
        }
        if let title = value("TTL") { patent.titles = [LocalizedText(language: "en", text: title)] }
        patent.priorities = records(fields, startingWith: "PRCO").compactMap { record in
            guard let country = record["PRCO"], let number = record["PRAN"] else { return nil }
            return DocumentReference(office: country, number: number, date: record["PRAD"].flatMap(PatentDate.init))
        }
        patent.relatedDocuments = values("COND").compactMap(relatedDocument)
        if let prior = value("PPNR") {
            patent.relatedDocuments.append(RelatedDocument(relation: "related-publication", document: DocumentReference(
                office: value("PPCC") ?? "US", number: prior, kind: value("PPKC"), date: value("PPPD").flatMap(PatentDate.init))))
        }
        patent.applicants = parties(fields, name: "AANM", country: "AACO")
        patent.inventors = parties(fields, name: "INNM", country: "INCO")
        patent.assignees = parties(fields, name: "ASNM", country: "ASCO")
        patent.agents = (values("LRFM") + values("LRFW")).map { Party(name: $0.replacingOccurrences(of: "; ", with: ", ")) }
        appendUnique((values("IPCP") + values("IPCS")).compactMap { Classification.normalise(firstWord($0)) }, to: &patent.ipc)
        appendUnique((values("CPOI") + values("CPOA")).compactMap { Classification.normalise(firstWord($0)) }, to: &patent.cpc)
        patent.citations = citations(fields)
        let abstract = paragraphs(fields, "ABPR").map(\.text)
        if !abstract.isEmpty { patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: abstract)] }
        let description = paragraphs(fields, "CRTX") + paragraphs(fields, "BSTX") + paragraphs(fields, "DETX")
        if !description.isEmpty { patent.descriptions = [Description(language: "en", paragraphs: description)] }
        let claims = claims(paragraphs(fields, "CLPR").map(\.text))
        if !claims.isEmpty { patent.claims = [ClaimSet(language: "en", claims: claims)] }
        return patent
    }

    private static func firstWord(_ text: String) -> String {
        String(text.split(separator: " ").first ?? "")
    }

    /// Groups of fields that each begin with `first` (a priority's PRCO, PRAN, PRAD, …).
    private static func records(_ fields: [Field], startingWith first: String) -> [[String: String]] {
        var out: [[String: String]] = []
        let prefix = String(first.prefix(2))
        for field in fields where field.tag.hasPrefix(prefix) {
            if field.tag == first { out.append([:]) }
            if !out.isEmpty, field.value != "N/A" { out[out.count - 1][field.tag] = field.value.trimmedSpaces }
        }
        return out
    }

    /// `continuation parent-doc US 13624697 20120921 …`, `us-provisional-application US 61559247 20111114`.
    private static func relatedDocument(_ condition: String) -> RelatedDocument? {
        let words = condition.split(separator: " ").map(String.init)
        guard let relation = words.first else { return nil }
        let at = words.count > 1 && words[1] == "parent-doc" ? 2 : 1
        guard words.count > at + 1 else { return nil }
        return RelatedDocument(relation: relation, document: DocumentReference(
            office: words[at], number: words[at + 1], date: words.count > at + 2 ? PatentDate(words[at + 2]) : nil))
    }

    /// Each `name` field starts a party; the country field after it belongs to it.
    private static func parties(_ fields: [Field], name: String, country: String) -> [Party] {
        var out: [Party] = []
        for field in fields {
            let value = field.value.trimmedSpaces
            if field.tag == name, !value.isEmpty, value != "N/A" {
                out.append(Party(name: value.replacingOccurrences(of: "; ", with: ", ")))
            } else if field.tag == country, !out.isEmpty, value.count == 2, value != "NA" {
                out[out.count - 1].country = value
            }
        }
        return out
    }

    private static func citations(_ fields: [Field]) -> [Citation] {
        var out: [Citation] = []
        for field in fields where ["URGP", "FRGP", "ORPL"].contains(field.tag) {
            let text = field.value.trimmedSpaces
            if field.tag == "ORPL" {
                out.append(Citation(kind: .nonPatent, text: text))
                continue
            }
            // `US 2003/0169838 A1 20030900 Greenstreet et al. 375/376 cited by examiner`
            let words = text.split(separator: " ").map(String.init)
            guard words.count >= 2 else { continue }
            let kind = words.count > 2 && words[2].first?.isLetter == true && words[2].count <= 2 ? words[2] : ""
            guard let number = PublicationNumber(office: words[0], number: words[1], kind: kind) else { continue }
            let citedBy = text.range(of: "cited by ").map { String(text[$0.upperBound...]) }
            out.append(Citation(kind: .patent, number: number.normalized, citedBy: citedBy))
        }
        return out
    }

    /// A text field's lines: a value starting with a space is a paragraph, else a heading.
    private static func paragraphs(_ fields: [Field], _ tag: String) -> [DescriptionParagraph] {
        fields.filter { $0.tag == tag }.compactMap { field in
            let text = field.value.trimmedSpaces
            guard !text.isEmpty, text != "N/A" else { return nil }
            return DescriptionParagraph(field.value.first == " " ? .paragraph : .heading, text)
        }
    }

    /// `1. A method …` starts claim 1; a line without a number continues the claim before.
    private static func claims(_ lines: [String]) -> [Claim] {
        var claims: [Claim] = []
        for line in lines {
            let digits = line.prefix { $0.isASCIIDigitChar }
            if !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". "), let number = Int(digits) {
                claims.append(Claim(number: number, text: String(line.dropFirst(digits.count + 2))))
            } else if !claims.isEmpty {
                claims[claims.count - 1].text += " " + line
            }
        }
        return claims.map { Claim(number: $0.number, text: $0.text, refersTo: ClaimReferences.find(in: $0.text, before: $0.number)) }
    }
}
