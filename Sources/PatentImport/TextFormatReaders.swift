import PatentModel

/// USPTO APS "green book" full text (grants 1971–2001): tagged lines, a 3–4 letter
/// field name in columns 1–4, its value from column 6, continuation lines indented.
struct APSReader {
    private struct Field {
        let tag: String
        var value: String
    }

    func read(_ bytes: [UInt8]) throws(ImportProblem) -> [Patent] {
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [Field] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if line.hasPrefix("HHHHHT") { continue }
            if line.first == " ", !fields.isEmpty {
                fields[fields.count - 1].value += " " + String(line).trimmedSpaces
            } else {
                let tag = String(line.prefix(4)).trimmedSpaces
                // Values keep inner spaces: classification fields are fixed-width.
                let value = line.count > 5 ? String(line.dropFirst(5)).trimmingCharacters(in: "\r") : ""
                fields.append(Field(tag: tag, value: value))
            }
        }
        var patents: [Patent] = []
        var start = 0
        for (i, field) in fields.enumerated() where field.tag == "PATN" && i > start {
            if let patent = patent(fields[start..<i]) { patents.append(patent) }
            start = i
        }
        if let patent = patent(fields[start...]) { patents.append(patent) }
        if patents.isEmpty { throw .missing("publication number (WKU)") }
        return patents
    }

    private func patent(_ fields: ArraySlice<Field>) -> Patent? {
        // Records: PATN (bibliography), INVT, ASSG, PRIR, RLAP, CLAS, UREF, FREF,
        // OREF, LREP, ABST, BSUM, DRWD, DETD, CLMS, … each followed by its fields.
        var records: [(name: String, fields: [Field])] = []
        for field in fields {
            if field.value.isEmpty && field.tag.count == 4 && field.tag.allSatisfy(\.isUppercase) {
                records.append((field.tag, []))
            } else if !records.isEmpty {
                records[records.count - 1].fields.append(field)
            }
        }
        guard let bib = records.first(where: { $0.name == "PATN" })?.fields,
              let wku = bib.first(where: { $0.tag == "WKU" })?.value, wku.count >= 2,
              let number = PublicationNumber(office: "US", number: String(wku.dropLast()), kind: nil) else { return nil }
        func value(_ fields: [Field], _ tag: String) -> String? { fields.first { $0.tag == tag }?.value }
        var patent = Patent(publication: number)
        patent.originalLanguage = "en"
        patent.publicationDate = value(bib, "ISD").flatMap(PatentDate.init)
        patent.grantDate = patent.publicationDate
        let kind: String
        switch value(bib, "APT") {
        case "4": kind = "S"; patent.type = .design
        case "5", "6": kind = "P"; patent.type = .other
        default: kind = number.number.first?.isLetter == true ? "E" : "A"; patent.type = kind == "A" ? .grantedInvention : .other
        }
        patent.publication = PublicationNumber(office: "US", number: number.number, kind: kind) ?? number
        if let apn = value(bib, "APN"), apn.count > 1 {
            let series = value(bib, "SRC").map { $0.count == 1 ? "0" + $0 : $0 } ?? ""
            patent.application = DocumentReference(office: "US", number: series + apn.dropLast(),
                                                   date: value(bib, "APD").flatMap(PatentDate.init))
        }
        if let title = value(bib, "TTL") { patent.titles = [LocalizedText(language: "en", text: title)] }
        var description: [DescriptionParagraph] = []
        for (name, fields) in records {
            switch name {
            case "INVT", "ASSG", "LREP":
                guard let raw = value(fields, "NAM") ?? value(fields, "FRM") else { continue }
                let party = Party(name: raw.replacingOccurrences(of: "; ", with: ", "),
                                  country: value(fields, "CNT").map { String($0.prefix(2)) } ?? (value(fields, "STA") != nil ? "US" : nil))
                if name == "INVT" { patent.inventors.append(party) } else if name == "ASSG" { patent.assignees.append(party) } else { patent.agents.append(party) }
            case "PRIR":
                if let apn = value(fields, "APN"), let country = value(fields, "CNT") {
                    patent.priorities.append(DocumentReference(office: String(country.prefix(2)), number: apn,
                                                               date: value(fields, "APD").flatMap(PatentDate.init)))
                }
            case "RLAP":
                if let apn = value(fields, "APN") {
                    patent.relatedDocuments.append(RelatedDocument(relation: "continuation", document: DocumentReference(
                        office: "US", number: apn, date: value(fields, "APD").flatMap(PatentDate.init))))
                }
            case "CLAS":
                var main: String?
                for field in fields where field.tag == "ICL" {
                    if let code = Classification.normalise(field.value, continuing: main.map { String($0.prefix(4)) }) {
                        main = main ?? code
                        appendUnique([code], to: &patent.ipc)
                    }
                }
                let uspc = fields.filter { $0.tag == "OCL" || $0.tag == "XCL" }.map { SchemeCode(scheme: "USPC", code: $0.value) }
                appendUnique(uspc, to: &patent.otherClassifications)
            case "UREF":
                if let pno = value(fields, "PNO"), let cited = PublicationNumber(office: "US", number: pno, kind: nil) {
                    patent.citations.append(Citation(kind: .patent, number: cited.normalized, text: value(fields, "NAM")))
                }
            case "FREF":
                if let pno = value(fields, "PNO"), let country = value(fields, "CNT"),
                   let cited = PublicationNumber(office: String(country.prefix(2)), number: pno, kind: nil) {
                    patent.citations.append(Citation(kind: .patent, number: cited.normalized))
                }
            case "OREF":
                patent.citations += fields.filter { $0.tag == "PAL" }.map { Citation(kind: .nonPatent, text: $0.value) }
            case "ABST":
                let paragraphs = fields.filter { $0.tag == "PAL" || $0.tag == "PAR" }.map(\.value)
                if !paragraphs.isEmpty { patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: paragraphs)] }
            case "BSUM", "DRWD", "DETD", "GOVT", "PARN":
                for field in fields where !field.value.isEmpty {
                    description.append(DescriptionParagraph(field.tag == "PAC" ? .heading : .paragraph, field.value))
                }
            case "CLMS", "DCLM":
                patent.claims = [ClaimSet(language: "en", claims: Self.claims(fields))]
            default:
                continue
            }
        }
        if !description.isEmpty { patent.descriptions = [Description(language: "en", paragraphs: description)] }
        return patent
    }

    /// `NUM` starts a claim; `PAR`/`PA1`… lines are its text.
    private static func claims(_ fields: [Field]) -> [Claim] {
        var claims: [Claim] = []
        for field in fields {
            if field.tag == "NUM" {
                let number = Int(field.value.filter(\.isASCIIDigitChar)) ?? claims.count + 1
                claims.append(Claim(number: number, text: ""))
            } else if field.tag.hasPrefix("PA") || field.tag == "TBL", !claims.isEmpty {
                let last = claims.count - 1
                claims[last].text += claims[last].text.isEmpty ? field.value : " " + field.value
            }
        }
        return claims.filter { !$0.text.isEmpty }.map { claim in
            Claim(number: claim.number, text: claim.text, refersTo: ClaimReferences.find(in: claim.text, before: claim.number))
        }
    }
}

/// EPO "full-text data for text analytics" TSV: one line per publication, language
/// and section (`TITLE`, `ABSTR`, `DESCR`, `CLAIM`, …) whose text is an XML fragment.
struct EPOFullTextTSVReader {
    func read(_ bytes: [UInt8]) throws(ImportProblem) -> [Patent] {
        var patents: [String: Patent] = [:]
        var order: [String] = []
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let columns = line.split(separator: "\t", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 4, let number = PublicationNumber(office: columns[0], number: columns[1], kind: columns[2]) else { continue }
            let key = number.normalized
            if patents[key] == nil {
                var patent = Patent(publication: number)
                patent.publicationDate = PatentDate(columns[3])
                patent.type = PatentType.from(office: number.office, kind: number.kind)
                if patent.isGrantPublication { patent.grantDate = patent.publicationDate }
                patents[key] = patent
                order.append(key)
            }
            guard columns.count == 7, let language = Language.normalise(columns[4]) else { continue }
            let fragment: XMLElement
            do {
                fragment = try XMLReader.parse("<fragment>" + columns[6] + "</fragment>")
            } catch {
                throw .brokenXML("\(key) \(columns[5]): \(error)")
            }
            switch columns[5] {
            case "TITLE": patents[key]!.titles.append(LocalizedText(language: language, text: fragment.text))
            case "ABSTR": patents[key]!.abstracts.append(LocalizedParagraphs(language: language, paragraphs: fragment.paragraphTexts()))
            case "DESCR": patents[key]!.descriptions.append(Description(language: language, paragraphs: fragment.descriptionParagraphs()))
            case "CLAIM": patents[key]!.claims.append(ClaimSet(language: language, claims: fragment.claimList(language: language)))
            default: continue
            }
        }
        if order.isEmpty { throw .missing("publication number") }
        return order.compactMap { patents[$0] }
    }
}
