import PatentModel

/// Helpers the XML format mappers share: reading `document-id` blocks, parties,
/// claims and descriptions in the element vocabulary the offices have in common.
extension XMLElement {
    /// Text of the first element at `path`, nil when absent or empty.
    func value(_ path: String) -> String? {
        guard let text = first(path)?.text, !text.isEmpty else { return nil }
        return text
    }

    /// Reads `country`/`doc-number`/`kind`/`date` children (WIPO ST.36 `document-id`).
    func documentReference(defaultOffice: String? = nil) -> DocumentReference? {
        let number = value("doc-number") ?? value("DocNumber") ?? value("docNumber")
        let office = value("country") ?? value("WIPOST3Code") ?? value("ctry") ?? defaultOffice
        guard let number else { return nil }
        let date = (value("date") ?? value("Date")).flatMap(PatentDate.init)
        let kind = value("kind") ?? value("Kind")
        if let office {
            return DocumentReference(office: NumberNormalizer.office(office), number: number, kind: kind, date: date)
        }
        // EPODOC numbers carry their office in front and may end in a kind letter
        // (`US201261713164P`).
        let compact = NumberNormalizer.compact(number)
        guard compact.count > 2, compact.prefix(2).allSatisfy(\.isLetter) else { return nil }
        var serial = Substring(compact.dropFirst(2))
        var trailingKind: String?
        if let last = serial.last, last.isLetter, serial.dropLast().last?.isNumber == true {
            trailingKind = String(last)
            serial = serial.dropLast()
        }
        return DocumentReference(office: String(compact.prefix(2)), number: String(serial),
                                 kind: kind ?? trailingKind, date: date)
    }

    /// The `document-id` child preferred for comparison: the DOCDB one where several are given.
    func preferredDocumentID() -> XMLElement? {
        let ids = children("document-id")
        return ids.first { $0[attribute: "document-id-type"] == "docdb" }
            ?? ids.first { $0[attribute: "document-id-type"] == nil || $0[attribute: "format"] == "epo" }
            ?? ids.first
    }

    /// Paragraph texts of an abstract-like element (`p` children, else the whole text).
    func paragraphTexts() -> [String] {
        let ps = descendants("p") + descendants("P") + descendants("Paragraphs")
        let texts = (ps.isEmpty ? [self] : ps).map(\.text).filter { !$0.isEmpty }
        return texts
    }

    /// Headings and paragraphs of a description, in document order.
    func descriptionParagraphs() -> [DescriptionParagraph] {
        var out: [DescriptionParagraph] = []
        collectParagraphs(into: &out)
        return out
    }

    private func collectParagraphs(into out: inout [DescriptionParagraph]) {
        for child in elements {
            switch child.name {
            case "p", "P", "Paragraphs", "paragraph", "PARA":
                let text = child.text
                if !text.isEmpty { out.append(.init(.paragraph, text)) }
            case "heading", "Heading", "H":
                let text = child.text
                if !text.isEmpty { out.append(.init(.heading, text)) }
            case "invention-title", "InventionTitle", "drawings", "figure", "img", "Figure", "Image":
                continue
            default:
                child.collectParagraphs(into: &out)
            }
        }
    }

    /// The claims under this element (`claim`/`Claim`/`CLM` descendants), numbered and
    /// with the claims each refers to: from reference markup (`claim-ref`,
    /// `dependent-claim-reference`, `CLREF`), else from the wording.
    func claimList(language: String?) -> [Claim] {
        let elements = descendants("claim") + descendants("Claim") + descendants("CLM")
        var claims: [Claim] = []
        for (index, element) in elements.enumerated() {
            let text = element.text
            if text.isEmpty { continue }
            let numbered = element[attribute: "num"] ?? element[attribute: "id"] ?? element[attribute: "ID"]
            let number = numbered.flatMap(trailingNumber) ?? (index + 1)
            let markup = element.descendants("claim-ref").compactMap { $0[attribute: "idref"] }
                + element.descendants("dependent-claim-reference").compactMap { $0[attribute: "depends_on"] }
                + element.descendants("CLREF").compactMap { $0[attribute: "ID"] }
            var refs = markup.compactMap(trailingNumber)
            if refs.isEmpty { refs = ClaimReferences.find(in: text, before: number) }
            refs = refs.filter { $0 < number && $0 > 0 }
            var unique: [Int] = []
            for r in refs where !unique.contains(r) { unique.append(r) }
            claims.append(Claim(number: number, text: text, refersTo: unique))
        }
        return claims
    }

    /// A party name from an `addressbook`-like element: organisation name, or
    /// `last-name, first-name`, or `name`.
    func partyName() -> String? {
        if let org = value("orgname") ?? value("OrganizationName") { return org }
        if let last = value("last-name") ?? value("LastName") {
            if let firstName = value("first-name") ?? value("FirstName") { return "\(last), \(firstName)" }
            return last
        }
        return value("name") ?? value("Name") ?? value("snm")
    }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}

/// Parties a source lists in several spellings, one list per data format (MAREC and OPS:
/// `original`, `epo`/`docdb`, `intermediate`, `epodoc`): the preferred format's parties,
/// each with the other formats' spellings of it as `variants`. A spelling pairs by
/// `sequence` where both sides give one, else with the party sharing most words with it
/// (formats list parties in different orders), else by position; one that pairs with
/// none goes to the last party (searchable, never shown). A country only another
/// spelling gives is kept.
enum PartySpellings {
    typealias Entry = (party: Party, sequence: String?)

    /// The parties of elements that name their data format in `formatAttribute`: the
    /// first format of `preference` present is shown and the others pair with it;
    /// without any of them, every element's party as it comes. `entries(format)` reads
    /// the elements of one format (nil: all).
    static func parties(_ elements: [XMLElement], formatAttribute: String, preference: [String],
                        entries: (String?) -> [Entry]) -> [Party] {
        guard let chosen = preference.first(where: { format in elements.contains { $0[attribute: formatAttribute] == format } }) else {
            return entries(nil).map(\.party)
        }
        let others = Set(elements.compactMap { $0[attribute: formatAttribute] }).subtracting([chosen]).sorted()
        return combine(preferred: entries(chosen), others: others.map { entries($0) })
    }

    static func combine(preferred: [Entry], others: [[Entry]]) -> [Party] {
        var parties = preferred.map(\.party)
        guard !parties.isEmpty else { return parties }
        let preferredWords = parties.map { words($0.name) }
        for group in others {
            for (k, entry) in group.enumerated() {
                let spelling = entry.party.name
                let target = entry.sequence.flatMap { sequence in preferred.firstIndex { $0.sequence == sequence } }
                    ?? closest(words(spelling), among: preferredWords)
                    ?? (group.count == preferred.count ? k : parties.count - 1)
                if parties[target].country == nil { parties[target].country = entry.party.country }
                let key = comparable(spelling)
                guard comparable(parties[target].name) != key, !parties[target].variants.contains(where: { comparable($0) == key }) else { continue }
                parties[target].variants.append(spelling)
            }
        }
        return parties
    }

    /// The party sharing most words with a spelling; nil when none shares any, or two
    /// share as many.
    private static func closest(_ spelling: Set<String>, among candidates: [Set<String>]) -> Int? {
        let shared = candidates.map { $0.intersection(spelling).count }
        guard let best = shared.max(), best > 0, shared.filter({ $0 == best }).count == 1 else { return nil }
        return shared.firstIndex(of: best)
    }

    private static func words(_ name: String) -> Set<String> {
        Set(name.uppercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
    }

    /// Spellings that differ only in case, spacing or punctuation are one.
    private static func comparable(_ name: String) -> String {
        name.uppercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }
}

/// The last run of digits: `US-20030000393-A1-CLM-00012` → 12, `0003` → 3.
func trailingNumber(_ text: String) -> Int? {
    let digits = text.reversed().drop { !$0.isASCIIDigitChar }.prefix { $0.isASCIIDigitChar }
    guard !digits.isEmpty, digits.count <= 6 else { return nil }
    return Int(String(digits.reversed()))
}

/// Finds the claim numbers a claim's wording refers to ("according to claim 1",
/// "any one of claims 2 to 4", "nach Anspruch 1", "权利要求1", "請求項１"). A claim that
/// refers back without a number ("according to any preceding claim", "nach einem der
/// vorhergehenden Ansprüche", "前述任一权利要求") refers to every claim before it: it is
/// dependent, on any of them.
enum ClaimReferences {
    /// Wordings of a reference to the earlier claims without their numbers (lower case).
    private static let unnumbered = [
        "preceding claim", "previous claim", "foregoing claim", "prior claim", "above claim", "claims above",
        "vorhergehenden anspr", "vorangehenden anspr", "vorstehenden anspr", "vorherigen anspr", "obigen anspr",
        "revendications précédentes", "revendication précédente", "revendications antérieures", "revendications ci-dessus",
        "reivindicaciones anteriores", "reivindicaciones precedentes", "reivindicación anterior", "rivendicazioni precedenti",
        "reivindicações anteriores",
        "前述任一权利要求", "前述任一项权利要求", "前述任意一项权利要求", "前述权利要求中任一", "上述任一权利要求", "上述权利要求中任一",
        "前述任一項請求項", "前述請求項中任一", "前記いずれかの請求項", "前記請求項のいずれか", "先行するいずれかの請求項",
        "上記いずれかの請求項", "선행하는 청구항", "선행 청구항", "앞선 청구항", "앞의 청구항", "이전 청구항", "전술한 청구항",
    ].map { Array($0.unicodeScalars) }
    private static let unnumberedStarts = Set(unnumbered.map { $0[0] })

    /// Whether the text refers back to earlier claims without numbering them.
    private static func refersBackWithoutNumber(_ lower: [Unicode.Scalar]) -> Bool {
        for i in lower.indices where unnumberedStarts.contains(lower[i]) {
            for phrase in unnumbered where phrase[0] == lower[i] {
                guard i + phrase.count <= lower.count else { continue }
                var k = 1
                while k < phrase.count, lower[i + k] == phrase[k] { k += 1 }
                if k == phrase.count { return true }
            }
        }
        return false
    }

    private static let keywords = ["claims", "claim", "ansprüche", "anspruch", "revendications", "revendication",
                                   "权利要求", "請求項", "청구항"].map { Array($0.unicodeScalars) }
    private static let rangeWords = ["-", "–", "to", "bis", "à", "至", "~", "～", "から"].map { Array($0.unicodeScalars) }
    private static let listWords = [",", "or", "and", "oder", "und", "ou", "et", "或", "、", "及び", "又は"].map { Array($0.unicodeScalars) }

    static func find(in text: String, before own: Int) -> [Int] {
        guard own > 1 else { return [] }
        let lower = Array(String(text.prefix(600)).lowercased().unicodeScalars)
        var found: [Int] = []
        var i = 0
        while i < lower.count {
            let c = lower[i]
            // Every keyword starts with c, a, r, 权, 請 or 청.
            guard c == "c" || c == "a" || c == "r" || c == "权" || c == "請" || c == "청",
                  let keyword = keywords.first(where: { matches($0, lower, at: i) }) else { i += 1; continue }
            i += keyword.count
            var previous: Int?
            var pendingRange = false
            while i < lower.count {
                while i < lower.count, lower[i] == " " { i += 1 }
                if let (number, next) = readNumber(lower, at: i) {
                    if pendingRange, let start = previous, number > start, number - start < 200 {
                        found.append(contentsOf: (start + 1)...number)
                    } else {
                        found.append(number)
                    }
                    previous = number
                    pendingRange = false
                    i = next
                    continue
                }
                if previous != nil, let word = rangeWords.first(where: { matches($0, lower, at: i) }) {
                    pendingRange = true
                    i += word.count
                    continue
                }
                if previous != nil, let word = listWords.first(where: { matches($0, lower, at: i) }) {
                    i += word.count
                    continue
                }
                break
            }
        }
        found = found.filter { $0 < own }
        if found.isEmpty, refersBackWithoutNumber(lower) { return Array(1..<own) }
        return found
    }

    private static func matches(_ word: [Unicode.Scalar], _ text: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + word.count <= text.count else { return false }
        for k in 0..<word.count where text[i + k] != word[k] { return false }
        // Latin keywords must end at a word boundary ("claimed" is no reference).
        let end = i + word.count
        if let last = word.last, last.isASCII, last.properties.isAlphabetic, end < text.count,
           text[end].properties.isAlphabetic { return false }
        return true
    }

    private static func readNumber(_ text: [Unicode.Scalar], at i: Int) -> (Int, Int)? {
        var k = i
        var value = 0
        var digits = 0
        while k < text.count, digits < 4, let d = decimalValue(text[k]) {
            value = value * 10 + d
            digits += 1
            k += 1
        }
        return digits > 0 ? (value, k) : nil
    }

    /// ASCII and full-width digits.
    private static func decimalValue(_ c: Unicode.Scalar) -> Int? {
        if c.value >= 0x30 && c.value <= 0x39 { return Int(c.value - 0x30) }
        if c.value >= 0xFF10 && c.value <= 0xFF19 { return Int(c.value - 0xFF10) }
        return nil
    }
}

extension XMLElement {
    /// A party from an element holding an `addressbook` (or the name fields directly).
    func party() -> Party? {
        let book = child("addressbook") ?? child("AddressBook") ?? self
        guard let name = book.partyName() ?? partyName() else { return nil }
        let country = book.value("address/country") ?? book.value("Address/WIPOST3Code") ?? value("residence/country")
            ?? value("nationality/country") ?? value("adr/ctry") ?? book.value("address/ctry")
        return Party(name: name, country: country.flatMap(Self.countryCode))
    }

    static func countryCode(_ text: String) -> String? {
        let code = text.uppercased()
        guard code.count == 2, code.allSatisfy({ $0.isLetter && $0.isASCII }) else { return nil }
        return code
    }

    /// IPCR from the split form (`section`, `class`, `subclass`, `main-group`, `subgroup`)
    /// or a `text` child.
    func splitClassification() -> String? {
        if let section = value("section") ?? value("Section"), let cls = value("class") ?? value("MainClass"),
           let subclass = value("subclass") ?? value("Subclass"),
           let main = value("main-group") ?? value("MainGroup") {
            let sub = value("subgroup") ?? value("Subgroup") ?? "00"
            return Classification.normalise("\(section)\(cls)\(subclass) \(main)/\(sub)")
        }
        return (value("text") ?? value("Text")).flatMap { Classification.normalise($0) }
    }
}

/// Appends unique values, keeping first-seen order.
func appendUnique<T: Equatable>(_ values: [T], to array: inout [T]) {
    for value in values where !array.contains(value) { array.append(value) }
}

extension Patent {
    /// Adds texts in a language when there are any (readers call these for every
    /// abstract, claims and description element they meet).
    mutating func addAbstract(_ paragraphs: [String], language: String) {
        if !paragraphs.isEmpty { abstracts.append(LocalizedParagraphs(language: language, paragraphs: paragraphs)) }
    }

    mutating func addClaims(_ list: [Claim], language: String) {
        if !list.isEmpty { claims.append(ClaimSet(language: language, claims: list)) }
    }

    mutating func addDescription(_ paragraphs: [DescriptionParagraph], language: String) {
        if !paragraphs.isEmpty { descriptions.append(Description(language: language, paragraphs: paragraphs)) }
    }
}
