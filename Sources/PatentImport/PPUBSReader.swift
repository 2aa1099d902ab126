import Foundation
import PatentModel

/// USPTO Patent Public Search JSON: a full document (`…/patents/US-…/highlight`), an
/// array of full documents (what ppubs' document download gives for a list of hits), or
/// a search answer whose `patents` array holds bibliographic hits. HTML text fields
/// (`claimsHtml`, `descriptionHtml`, `abstractHtml`) become paragraphs and claims.
struct PPUBSReader {
    func read(_ bytes: [UInt8]) throws(ImportProblem) -> [Patent] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw .brokenJSON(String(describing: error.localizedDescription))
        }
        let documents: [[String: Any]]
        if let dict = object as? [String: Any], let hits = dict["patents"] as? [[String: Any]] {
            documents = hits
        } else if let dict = object as? [String: Any], dict["guid"] != nil {
            documents = [dict]
        } else if let dict = object as? [String: Any], let docs = dict["docs"] as? [[String: Any]] {
            documents = docs
        } else if let array = object as? [[String: Any]], array.contains(where: { $0["guid"] != nil }) {
            documents = array
        } else if let dict = object as? [String: Any], dict["error"] is [String: Any] || (dict["status"] is String && dict["message"] != nil) {
            throw .notPatent(.serviceError)
        } else if let dict = object as? [String: Any], dict["numFound"] != nil {
            throw .notPatent(.searchResults)
        } else {
            // ppubs' session and print-job answers.
            throw .notPatent(.serviceSession)
        }
        if documents.isEmpty { throw .notPatent(.searchResults) }
        let patents = documents.compactMap(patent)
        if patents.isEmpty { throw .noPatent }
        return patents
    }

    func patent(_ d: [String: Any]) -> Patent? {
        guard let guid = d["guid"] as? String else { return nil }
        let parts = guid.split(separator: "-")
        guard parts.count >= 2,
              let number = PublicationNumber(office: String(parts[0]), number: String(parts[1]),
                                             kind: parts.count > 2 ? String(parts[2]) : (d["kindCode"] as? [String])?.first) else { return nil }
        var patent = Patent(publication: number)
        let language = Language.normalise(d["languageIndicator"] as? String) ?? "en"
        patent.originalLanguage = language
        patent.publicationDate = (d["datePublished"] as? String).flatMap(PatentDate.init)
        let filingType = (d["applicationRefFilingType"] as? String)?.lowercased()
        let isGrant = (d["type"] as? String) == "USPAT"
        patent.type = USPTOICEReader.type(kind: number.kind, applicationType: filingType, isGrant: isGrant)
        if isGrant { patent.grantDate = patent.publicationDate }
        if let serial = (d["applicationSeriesAndNumber"] as? String) ?? (d["applicationNumber"] as? String) {
            patent.application = DocumentReference(office: "US", number: serial,
                                                   date: strings(d["applicationFilingDate"]).first.flatMap(PatentDate.init))
        }
        if let family = d["familyIdentifierCur"] as? Int { patent.docdbFamilyID = String(family) }
        if let title = (d["inventionTitle"] as? String).map(HTMLText.plain), !title.isEmpty {
            patent.titles = [LocalizedText(language: language, text: title)]
        }
        let abstract = HTMLText.lines(d["abstractHtml"] as? String)
        patent.addAbstract(abstract, language: language)
        let claimPieces = ClaimSplitter.split(HTMLText.lines(d["claimsHtml"] as? String).joined(separator: "\n"))
        let claims = claimPieces.enumerated().map { index, text in
            let (parsed, body) = ClaimSplitter.leadingNumber(text)
            let number = parsed ?? index + 1
            return Claim(number: number, text: text, refersTo: Array(Set(ClaimReferences.find(in: body, before: number))).sorted())
        }
        patent.addClaims(claims, language: language)
        let description = HTMLText.descriptionParagraphs(d["descriptionHtml"] as? String)
        patent.addDescription(description, language: language)

        let ipc = split(d["ipcCodeFlattened"]) + strings(d["curIntlPatentClassificationPrimary"]) + strings(d["curIntlPatentClassificationSecondary"])
        appendUnique(ipc.compactMap { Classification.normalise($0) }, to: &patent.ipc)
        let cpc = split(d["cpcInventiveFlattened"]) + split(d["cpcAdditionalFlattened"])
        appendUnique(cpc.compactMap { Classification.normalise($0) }, to: &patent.cpc)
        appendUnique(strings(d["issuedUsClassificationFull"]).map { SchemeCode(scheme: "USPC", code: $0) }, to: &patent.otherClassifications)

        patent.applicants = zipParties(strings(d["applicantName"]), strings(d["applicantCountry"]))
        patent.assignees = zipParties(strings(d["assigneeName"]), strings(d["assigneeCountry"]))
        patent.inventors = zipParties(strings(d["inventorsName"]), strings(d["inventorCountry"]))
        patent.agents = zipParties(strings(d["attorneyName"]), [])

        let priorityNumbers = strings(d["priorityClaimsDocNumber"])
        let priorityCountries = strings(d["priorityApplicationCountry"]) + strings(d["priorityClaimsCountry"])
        let priorityDates = strings(d["priorityClaimsDate"])
        for (i, number) in priorityNumbers.enumerated() where i < priorityCountries.count {
            patent.priorities.append(DocumentReference(office: priorityCountries[i], number: number,
                                                       date: i < priorityDates.count ? PatentDate(priorityDates[i]) : nil))
        }
        for number in strings(d["relatedApplNumber"]) {
            appendUnique([RelatedDocument(relation: "related-application", document: DocumentReference(office: "US", number: number))],
                         to: &patent.relatedDocuments)
        }
        patent.citations = strings(d["urpn"]).compactMap { number in
            PublicationNumber(office: "US", number: number, kind: nil).map { Citation(kind: .patent, number: $0.normalized) }
        }
        let foreignCountries = strings(d["foreignRefCountryCode"])
        for (i, number) in strings(d["foreignRefPatentNumber"]).enumerated() where i < foreignCountries.count {
            if let pn = PublicationNumber(office: foreignCountries[i], number: number, kind: nil) {
                patent.citations.append(Citation(kind: .patent, number: pn.normalized))
            }
        }
        patent.citations += strings(d["otherRefPub"]).map { Citation(kind: .nonPatent, text: HTMLText.plain($0)) }
        return patent
    }

    private func strings(_ value: Any?) -> [String] {
        if let list = value as? [String] { return list.filter { !$0.isEmpty && $0 != "N/A" } }
        if let single = value as? String, !single.isEmpty { return [single] }
        return []
    }

    private func split(_ value: Any?) -> [String] {
        strings(value).flatMap { $0.split(separator: ";").map { String($0).trimmedSpaces } }.filter { !$0.isEmpty }
    }

    private func zipParties(_ names: [String], _ countries: [String]) -> [Party] {
        names.enumerated().map { i, name in
            // PPUBS writes personal names `Last; First`.
            Party(name: HTMLText.plain(name).replacingOccurrences(of: "; ", with: ", "), country: i < countries.count ? XMLElement.countryCode(countries[i]) : nil)
        }
    }
}

/// Plain text from the small HTML subset PPUBS uses (`<br />`, `<p>`, `<span>`, entities).
enum HTMLText {
    static func lines(_ html: String?) -> [String] {
        guard let html, !html.isEmpty else { return [] }
        var text = ""
        var i = html.startIndex
        while i < html.endIndex {
            let c = html[i]
            if c == "<", let close = html[i...].firstIndex(of: ">") {
                let tag = html[html.index(after: i)..<close].lowercased()
                if tag.hasPrefix("br") || tag.hasPrefix("p") || tag.hasPrefix("/p") || tag.hasPrefix("div") || tag.hasPrefix("/div")
                    || tag.hasPrefix("h") && !tag.hasPrefix("hr") {
                    text.append("\n")
                }
                i = html.index(after: close)
                continue
            }
            if c == "&", let semicolon = html[i...].prefix(12).firstIndex(of: ";") {
                let name = String(html[html.index(after: i)..<semicolon])
                if let value = entity(name) {
                    text += value
                    i = html.index(after: semicolon)
                    continue
                }
            }
            text.append(c)
            i = html.index(after: i)
        }
        return text.split(whereSeparator: \.isNewline).map { String($0).trimmedSpaces }.filter { !$0.isEmpty }
    }

    static func plain(_ html: String) -> String { lines(html).joined(separator: " ") }

    /// Description lines: a leading `(12)` paragraph number is dropped; a line in
    /// capitals without a full stop is a heading.
    static func descriptionParagraphs(_ html: String?) -> [DescriptionParagraph] {
        lines(html).compactMap { line in
            var text = Substring(line)
            if text.first == "(", let close = text.firstIndex(of: ")"),
               text[text.index(after: text.startIndex)..<close].allSatisfy(\.isASCIIDigitChar) {
                text = text[text.index(after: close)...]
            }
            let body = String(text).trimmedSpaces
            guard !body.isEmpty else { return nil }
            let letters = body.filter(\.isLetter)
            let isHeading = !letters.isEmpty && letters == letters.uppercased() && !body.hasSuffix(".") && body.count < 120
            return DescriptionParagraph(isHeading ? .heading : .paragraph, body)
        }
    }

    private static func entity(_ name: String) -> String? {
        if name.hasPrefix("#") {
            let isHex = name.hasPrefix("#x") || name.hasPrefix("#X")
            guard let value = UInt32(name.dropFirst(isHex ? 2 : 1), radix: isHex ? 16 : 10),
                  let scalar = Unicode.Scalar(value) else { return nil }
            return String(Character(scalar))
        }
        return XMLEntities.table[name]
    }
}
