import PatentModel

/// USPTO PatFT / AppFT full-text HTML pages (the pre-2022 web databases): one patent
/// or application per page. The page gives no kind code for grants; it follows the
/// USPTO rule: `A` before 2001 (by date, or by number below 6,167,530 when the page
/// has no date), then `B2` when the page lists prior publication data,
/// else `B1`; designs `S`, reissues `E`.
struct PatFTReader {
    func read(_ bytes: [UInt8]) throws(ImportProblem) -> [Patent] {
        let page = HTMLPage(bytes)
        guard let heading = page.text(between: "<title>", and: "</title>") else { throw .notPatent(.webPage) }
        let isApplication = heading.hasPrefix("United States Patent Application:")
        guard heading.hasPrefix("United States Patent:") || isApplication,
              let serial = heading.split(separator: ":").last.map({ String($0).trimmedSpaces }), !serial.isEmpty else {
            // Search forms, result lists and error pages of the same databases.
            throw .notPatent(.webPage)
        }
        let date = page.text(between: "<td align=\"right\" width=\"50%\"> <b>", and: "</b>").flatMap(Self.date)
        var kind: String
        if isApplication {
            kind = page.text(between: "Kind Code</B></TD><TD ALIGN=\"RIGHT\" WIDTH=\"80%\"><B>", and: "</B>") ?? "A1"
        } else if serial.hasPrefix("D") {
            kind = "S"
        } else if serial.hasPrefix("RE") {
            kind = "E"
        } else if let year = date?.year, year < 2001 {
            kind = "A"
        } else if date == nil, let value = Int(serial), value < 6_167_530 {
            // Image-only pages of old patents carry no date; 6,167,530 was the first grant of 2001.
            kind = "A"
        } else {
            kind = page.contains("Prior Publication Data") ? "B2" : "B1"
        }
        let number = isApplication ? "20" + serial.suffix(9) : serial
        guard let pn = PublicationNumber(office: "US", number: number, kind: kind) else { throw .missing("publication number") }
        var patent = Patent(publication: pn)
        patent.originalLanguage = "en"
        patent.publicationDate = date
        patent.type = USPTOICEReader.type(kind: pn.kind, applicationType: nil, isGrant: !isApplication)
        if !isApplication { patent.grantDate = date }
        if let title = page.text(between: "<font size=\"+1\">", and: "</font>") {
            patent.titles = [LocalizedText(language: "en", text: title)]
        }
        if let abstract = page.text(between: "<b>Abstract</b></CENTER>", and: "</p>") {
            patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [abstract])]
        }
        if let family = page.text(between: "Family ID:", and: "</b>") { patent.docdbFamilyID = family }
        if let app = page.text(between: "Appl. No.:", and: "</b>") {
            patent.application = DocumentReference(office: "US", number: app,
                                                   date: page.text(between: "Filed:", and: "</b>").flatMap(Self.date))
        }
        if let inventors = page.html(between: "Inventors:", and: "</TD>") {
            patent.inventors = HTMLPage(Array(inventors.utf8)).all("<B>", "</B>").map {
                Party(name: $0.trimmingCharacters(in: ", ").replacingOccurrences(of: "; ", with: ", "))
            }.filter { !$0.name.isEmpty }
        }
        if let assignee = page.text(between: "Assignee:", and: "(") {
            patent.assignees = [Party(name: assignee)]
        }
        let cpc = page.text(between: "Current CPC Class:", and: "</TR>")?.split(separator: ";") ?? []
        appendUnique(cpc.compactMap { Classification.normalise(String($0)) }, to: &patent.cpc)
        let ipc = page.text(between: "Current International Class:", and: "</TR>")?.split(separator: ";") ?? []
        appendUnique(ipc.compactMap { Classification.normalise(String($0)) }, to: &patent.ipc)
        if let claims = page.html(between: "<i>Claims</b></i></CENTER>", and: "<CENTER>") {
            let pieces = ClaimSplitter.split(HTMLText.lines(claims).joined(separator: "\n"))
            let list = pieces.compactMap { text -> Claim? in
                let (parsed, body) = ClaimSplitter.leadingNumber(text)
                guard let number = parsed else { return nil }
                return Claim(number: number, text: text, refersTo: ClaimReferences.find(in: body, before: number))
            }
            patent.addClaims(list, language: "en")
        }
        if let description = page.html(between: "<i>Description</b></i></CENTER>", and: "<HR>\n<CENTER>")
            ?? page.html(between: "<i>Description</b></i></CENTER>", and: "</BODY>") {
            let paragraphs = HTMLText.descriptionParagraphs(description)
            patent.addDescription(paragraphs, language: "en")
        }
        return [patent]
    }

    /// `April 17, 2018`, `January 30, 2014`.
    static func date(_ text: String) -> PatentDate? {
        let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                      "october", "november", "december"]
        let parts = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," })
        guard parts.count == 3, let month = months.firstIndex(where: { $0.hasPrefix(parts[0]) }),
              let day = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return PatentDate(year: year, month: month + 1, day: day)
    }
}

/// Case-insensitive searching in an HTML page's bytes.
struct HTMLPage {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func contains(_ needle: String) -> Bool { find(needle, from: 0) != nil }

    /// Raw HTML between two markers.
    func html(between start: String, and end: String) -> String? {
        guard let a = find(start, from: 0) else { return nil }
        let from = a + start.utf8.count
        let to = find(end, from: from) ?? bytes.count
        return String(decoding: bytes[from..<to], as: UTF8.self)
    }

    /// Plain text between two markers, tags removed, entities resolved.
    func text(between start: String, and end: String) -> String? {
        guard let html = html(between: start, and: end) else { return nil }
        let text = HTMLText.plain(html)
        return text.isEmpty ? nil : text
    }

    /// Every raw HTML run between each occurrence of `start` and the next `end`.
    func all(_ start: String, _ end: String) -> [String] {
        var out: [String] = []
        var from = 0
        while let a = find(start, from: from) {
            let b = find(end, from: a + start.utf8.count) ?? bytes.count
            out.append(HTMLText.plain(String(decoding: bytes[(a + start.utf8.count)..<b], as: UTF8.self)))
            from = b
        }
        return out
    }

    func find(_ needle: String, from: Int) -> Int? {
        let n = Array(needle.lowercased().utf8)
        guard !n.isEmpty, bytes.count >= n.count else { return nil }
        var i = from
        while i <= bytes.count - n.count {
            var k = 0
            while k < n.count, Self.lower(bytes[i + k]) == n[k] { k += 1 }
            if k == n.count { return i }
            i += 1
        }
        return nil
    }

    private static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) || f == " " { s = s.dropFirst() }
        while let l = s.last, set.contains(l) || l == " " { s = s.dropLast() }
        return String(s)
    }
}
