import Foundation
import PatentModel

/// The positional fields of the reference evaluator and their BM25 weights (QUERY.md §5).
enum ReferenceField: Int, CaseIterable, Hashable {
    case title, abstract, claims, independentClaims, description
    case titleTranslations, abstractTranslations, claimsTranslations, independentClaimsTranslations, descriptionTranslations
    case applicants, inventors, agents

    var isText: Bool { rawValue < ReferenceField.applicants.rawValue }

    var weight: Double {
        switch self {
        case .title, .titleTranslations: return 3
        case .abstract, .abstractTranslations: return 2
        case .claims, .claimsTranslations, .independentClaims, .independentClaimsTranslations: return 1.5
        case .description, .descriptionTranslations: return 1
        default: return 0
        }
    }

    var translations: ReferenceField? {
        switch self {
        case .title: return .titleTranslations
        case .abstract: return .abstractTranslations
        case .claims: return .claimsTranslations
        case .independentClaims: return .independentClaimsTranslations
        case .description: return .descriptionTranslations
        default: return nil
        }
    }
}

/// One analysed value: token ids, stem ids (-1 for a token that is not stemmed), and
/// each token's sentence and paragraph.
struct ReferenceValue {
    var tokens: [Int32] = []
    var stems: [Int32] = []
    var sentences: [Int] = []
    var paragraphs: [Int] = []
    /// Where each token id occurs, and each stem id (stems offset by `stemOffset`).
    var positions: [Int32: [Int]] = [:]
}

/// A patent as the reference evaluator sees it, built from the stored record alone.
struct ReferenceDocument {
    var pn: String
    /// False for a replaced or removed version the index still holds until a merge:
    /// it never matches but counts in document frequencies and the vocabulary.
    var live = true
    var values: [ReferenceField: [ReferenceValue]] = [:]
    var publicationNumbers: Set<String> = []
    var applicationNumbers: Set<String> = []
    var priorityNumbers: Set<String> = []
    var kind = "", authority = "", patentType = ""
    var ipc: Set<String> = [], cpc: Set<String> = []
    var families: [String: String] = [:]
    /// `yyyyMMdd`, 0 when the patent has none.
    var applicationDate = 0, publicationDate = 0, grantDate = 0, priorityDate = 0

    func length(_ field: ReferenceField) -> Int { values[field]?.reduce(0) { $0 + $1.tokens.count } ?? 0 }
}

/// Token and stem ids shared by every document of a reference corpus.
final class ReferenceVocabulary {
    private(set) var words: [String] = []
    private(set) var scalars: [[Unicode.Scalar]] = []
    private var ids: [String: Int32] = [:]
    /// Each wildcard piece's matching ids, matched once against the whole vocabulary.
    private var expansions: [String: (count: Int, ids: Set<Int32>)] = [:]
    /// Which token ids each field's values hold, over every document (wildcard expansion).
    var byField: [ReferenceField: Set<Int32>] = [:]
    static let stemOffset: Int32 = 1 << 28

    func id(_ word: String) -> Int32 {
        if let id = ids[word] { return id }
        let id = Int32(words.count)
        words.append(word)
        scalars.append(Array(word.unicodeScalars))
        ids[word] = id
        return id
    }

    /// The ids of every word a wildcard piece matches (§3).
    func expansion(_ piece: String) -> Set<Int32> {
        if let known = expansions[piece], known.count == words.count { return known.ids }
        let pattern = Array(piece.unicodeScalars)
        let prefix = pattern.prefix { !"*?#".unicodeScalars.contains($0) }
        let suffix = pattern.reversed().prefix { !"*?#".unicodeScalars.contains($0) }.reversed()
        var out = Set<Int32>()
        for (id, word) in scalars.enumerated()
        where word.starts(with: prefix) && word.reversed().starts(with: suffix.reversed()) && ReferenceText.glob(pattern, word) {
            out.insert(Int32(id))
        }
        expansions[piece] = (words.count, out)
        return out
    }

    func existingID(_ word: String) -> Int32? { ids[word] }
}

/// Builds reference documents from `Patent` records (QUERY.md §1, §3, §6–§9).
/// Stems are filled in afterwards (`ReferenceCorpus.stem`), once every word is known.
struct ReferenceDocumentBuilder {
    let vocabulary: ReferenceVocabulary

    func document(_ patent: Patent, families: [String: String]) -> ReferenceDocument {
        var doc = ReferenceDocument(pn: patent.pn)
        let original = Self.originalLanguage(patent)
        func place<T>(_ items: [T], language: (T) -> String, _ field: ReferenceField, _ paragraphs: (T) -> [String],
                      title: Bool = false) {
            guard !items.isEmpty else { return }
            let main = items.firstIndex { language($0) == original } ?? 0
            for (i, item) in items.enumerated() {
                add(i == main ? field : field.translations!, paragraphs(item), title: title, to: &doc)
            }
        }
        place(patent.titles, language: \.language, .title, { [$0.text] }, title: true)
        place(patent.abstracts, language: \.language, .abstract, \.paragraphs)
        place(patent.claims, language: \.language, .claims, { $0.claims.map(\.text) })
        place(patent.claims, language: \.language, .independentClaims, { $0.claims.filter { $0.refersTo.isEmpty }.map(\.text) })
        place(patent.descriptions, language: \.language, .description, { $0.paragraphs.map(\.text) })
        var names: [String] = []
        for party in patent.applicants + patent.assignees where !names.contains(party.name) { names.append(party.name) }
        // QUERY.md §9: every other spelling a source gives is a value of its own too.
        for variant in (patent.applicants + patent.assignees).flatMap(\.variants) where !names.contains(variant) { names.append(variant) }
        for name in names { add(.applicants, [name], to: &doc) }
        for (field, parties) in [(ReferenceField.inventors, patent.inventors), (.agents, patent.agents)] {
            var values = parties.map(\.name)
            for variant in parties.flatMap(\.variants) where !values.contains(variant) { values.append(variant) }
            for value in values { add(field, [value], to: &doc) }
        }

        let office = patent.publication.office.uppercased()
        let serial = ReferenceNumbers.serialKey(ReferenceNumbers.compact(patent.publication.number))
        doc.publicationNumbers = [office + serial, office + serial + patent.publication.kind.uppercased()]
        if let application = patent.application { doc.applicationNumbers = ReferenceNumbers.referenceKeys(application) }
        for priority in patent.priorities { doc.priorityNumbers.formUnion(ReferenceNumbers.referenceKeys(priority)) }
        doc.kind = patent.publication.kind.uppercased()
        doc.authority = office
        doc.patentType = patent.type.rawValue
        doc.ipc = Set(patent.ipc.flatMap(ReferenceClasses.hierarchy))
        doc.cpc = Set(patent.cpc.flatMap(ReferenceClasses.hierarchy))
        doc.families = families
        doc.applicationDate = patent.application?.date?.value ?? 0
        doc.publicationDate = patent.publicationDate?.value ?? 0
        // QUERY.md §9: every granted kind has an ISD (the source's grant date, else the
        // publication date), applications and reports none.
        doc.grantDate = Self.isGrant(patent) ? (patent.grantDate ?? patent.publicationDate)?.value ?? 0 : 0
        doc.priorityDate = patent.priorities.compactMap { $0.date?.value }.min() ?? doc.applicationDate
        return doc
    }

    /// §8/§9: the declared language unless it is missing or "XX"; else English when the
    /// document has English text; else the first language listed.
    static func originalLanguage(_ patent: Patent) -> String? {
        if let declared = patent.originalLanguage, !declared.isEmpty, declared.uppercased() != "XX" { return declared }
        let listed = patent.titles.map(\.language) + patent.abstracts.map(\.language) + patent.claims.map(\.language)
            + patent.descriptions.map(\.language)
        return listed.contains("en") ? "en" : listed.first
    }

    private func add(_ field: ReferenceField, _ paragraphs: [String], title: Bool = false, to doc: inout ReferenceDocument) {
        let tokens = ReferenceText.tokens(paragraphs: paragraphs, splitLines: !title)
        guard !tokens.isEmpty else { return }
        var value = ReferenceValue()
        for token in tokens {
            let id = vocabulary.id(token.text)
            vocabulary.byField[field, default: []].insert(id)
            value.tokens.append(id)
            value.positions[id, default: []].append(token.position)
            value.sentences.append(token.sentence)
            value.paragraphs.append(token.paragraph)
        }
        doc.values[field, default: []].append(value)
    }
}

/// Numbers (QUERY.md §3, §8): case-insensitive, spaces `-` `/` `,` `.` ignored, leading
/// zeros of the serial part ignored; applications and priorities with or without the
/// office prefix; publications with or without the kind code.
enum ReferenceNumbers {
    static func compact(_ text: String) -> String {
        String(text.uppercased().filter { !" -/,.".contains($0) && !$0.isWhitespace })
    }

    static func serialKey(_ serial: String) -> String {
        let trimmed = serial.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// A check digit after a dot (`13196195.5`, `202111286633.X`), printed by EPO and
    /// CNIPA and left out by DOCDB, is not part of the number: `EP 13196195.5` and
    /// `EP13196195` are one application (our decision where §8's "`.` ignored" is silent).
    static func withoutCheckDigit(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let chars = Array(trimmed)
        if chars.count > 2, chars[chars.count - 2] == ".", chars.last!.isNumber || chars.last! == "X" || chars.last! == "x" {
            return String(chars.dropLast(2))
        }
        return trimmed
    }

    static func referenceKeys(_ reference: DocumentReference) -> Set<String> {
        var number = compact(withoutCheckDigit(reference.number))
        var office = reference.office.uppercased()
        if number.hasPrefix(office), number.dropFirst(office.count).first?.isNumber == true { number.removeFirst(office.count) }
        // DOCDB's kind W: a PCT application, the office the receiving one.
        if reference.kind?.uppercased() == "W", office != "WO", !number.hasPrefix("PCT") { (office, number) = ("WO", office + number) }
        let (canonicalOffice, serial) = canonical(office: office, serial: number)
        return [canonicalOffice + serial, serial]
    }

    private static func match(_ pattern: String, _ text: String) -> [String]? {
        guard let found = try? Regex(pattern).wholeMatch(in: text) else { return nil }
        return (1..<found.count).map { found[$0].substring.map(String.init) ?? "" }
    }

    /// QUERY.md "Clarifications", Numbers: one key per office whatever the spelling —
    /// DOCDB's year in front of a US series code and serial and its kind letter after the
    /// digits (`W`: a PCT application, the office the receiving one), epodoc's four-digit
    /// year and zero-padded serial (EP, JP), era years (JP), the right code (KR), and
    /// PCT/CCyyyy/nnnnnn forms in every order.
    static func canonical(office: String, serial text: String) -> (String, String) {
        var office = office
        var serial = text
        if serial.hasPrefix("PCT") { office = "WO"; serial = String(serial.dropFirst(3)) }
        if let m = match(#"(\d{5,})([A-Z])"#, serial) {
            serial = m[0]
            if m[1] == "W", office.count == 2, office != "WO" { serial = office + serial; office = "WO" }
        }
        if let m = match(#"0*(\d+)"#, serial) { serial = m[0] }
        switch office {
        case "US": if let m = match(#"(?:19|20)\d\d(\d{8})"#, serial) { serial = m[0] }
        case "EP": if let m = match(#"(?:19|20)(\d\d)0(\d{6})"#, serial) { serial = m[0] + m[1] }
        case "JP":
            if let m = match(#"((?:19|20)\d\d)0(\d{6})"#, serial) { serial = m[0] + m[1] }
            if let m = match(#"([SHR])(\d\d)(\d{6})"#, serial) {
                serial = String(["S": 1925, "H": 1988, "R": 2018][m[0]]! + Int(m[1])!) + m[2]
            }
        case "KR": if let m = match(#"\d\d((?:19|20)\d{9})"#, serial) { serial = m[0] }
        case "WO":
            var parts: (String, String, String)?
            if let m = match(#"(\d{4})([A-Z]{2})(\d{1,6})"#, serial) { parts = (m[1], m[0], m[2]) }
            else if let m = match(#"([A-Z]{2})((?:19|20)\d\d)(\d{5,6})"#, serial) { parts = (m[0], m[1], m[2]) }
            else if let m = match(#"([A-Z]{2})(\d\d)(\d{3,5})"#, serial) { parts = (m[0], (Int(m[1])! >= 78 ? "19" : "20") + m[1], m[2]) }
            if let (receiving, year, number) = parts {
                let digits = serialKey(number)
                serial = receiving + year + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
            }
        default: break
        }
        return (office, serialKey(serial))
    }

    /// The key a PN query asks for: office + serial (+ kind when given).
    static func publicationQuery(_ text: String) -> String? {
        let value = Array(compact(text))
        guard value.count > 2, value[0].isLetter, value[1].isLetter else { return nil }
        var rest = Array(value[2...])
        // A kind code is a letter, optionally a digit, after the serial's last digit.
        var kind: [Character] = []
        if let last = rest.last, last.isNumber, rest.count >= 3, rest[rest.count - 2].isLetter, rest[rest.count - 3].isNumber {
            kind = Array(rest.suffix(2))
        } else if let last = rest.last, last.isLetter, rest.count >= 2, rest[rest.count - 2].isNumber {
            kind = [last]
        }
        rest.removeLast(kind.count)
        guard !rest.isEmpty else { return nil }
        return String(value[0...1]) + serialKey(String(rest)) + String(kind)
    }

    /// The key an APNO/PRNO query asks for: with its office prefix when it has one.
    static func referenceQuery(_ text: String) -> String? {
        let value = compact(withoutCheckDigit(text))
        guard !value.isEmpty else { return nil }
        let chars = Array(value)
        if value.hasPrefix("PCT") {
            let (office, serial) = canonical(office: "WO", serial: value)
            return office + serial
        }
        if chars.count > 2, chars[0].isLetter, chars[1].isLetter, chars[2].isNumber {
            let (office, serial) = canonical(office: String(chars[0...1]), serial: String(chars[2...]))
            return office + serial
        }
        return canonical(office: "", serial: value).1
    }
}

/// IPC/CPC codes (QUERY.md §3, §8): read from every spelling (long form, spaced,
/// compact), and a code is found by itself and by every ancestor.
enum ReferenceClasses {
    /// Subclass, main group and subgroup digits of a code; nil for what is not a code.
    static func parse(_ text: String) -> (subclass: String, group: String?, subgroup: String?)? {
        let code = Array(text.uppercased().filter { !$0.isWhitespace })
        // Sections A–H, and CPC's Y.
        guard let section = code.first, ("A"..."H").contains(section) || section == "Y" else { return nil }
        if code.count == 1 { return (String(section), nil, nil) }
        guard code.count >= 3, code[1].isNumber, code[2].isNumber else { return nil }
        if code.count == 3 { return (String(code[0...2]), nil, nil) }
        guard code[3].isLetter else { return nil }
        let subclass = String(code[0...3])
        let rest = Array(code[4...])
        if rest.isEmpty { return (subclass, nil, nil) }
        // WIPO long form: four group digits, six subgroup digits (`H01M0010052500`).
        if !rest.contains("/"), rest.count >= 10, rest.prefix(10).allSatisfy(\.isNumber) {
            let group = String(Int(String(rest[0..<4]))!)
            var subgroup = String(rest[4..<10])
            while subgroup.count > 2, subgroup.hasSuffix("0") { subgroup.removeLast() }
            return (subclass, group, subgroup)
        }
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let groupDigits = parts.first, !groupDigits.isEmpty, groupDigits.allSatisfy(\.isNumber) else { return nil }
        let group = String(Int(String(groupDigits)) ?? 0)
        guard parts.count == 2 else { return (subclass, group, nil) }
        let subgroup = String(parts[1])
        guard subgroup.count >= 2, subgroup.allSatisfy(\.isNumber) else { return nil }
        return (subclass, group, subgroup)
    }

    /// The query key of a code: `H01M10/00` and `H01M10` both name the main group.
    static func key(_ text: String) -> String? {
        guard let code = parse(text) else { return nil }
        guard let group = code.group else { return code.subclass }
        guard let subgroup = code.subgroup, subgroup != "00" else { return code.subclass + group }
        return code.subclass + group + "/" + subgroup
    }

    /// A stored code and its ancestors: section, class, subclass, main group, and each
    /// subgroup whose digits the code's subgroup extends.
    static func hierarchy(_ text: String) -> [String] {
        guard let code = parse(text) else { return [] }
        let s = Array(code.subclass)
        var out = [String(s[0])]
        if s.count >= 3 { out.append(String(s[0...2])) }
        if s.count >= 4 { out.append(code.subclass) }
        guard let group = code.group else { return out }
        out.append(code.subclass + group)
        if let subgroup = code.subgroup, subgroup != "00" {
            let digits = Array(subgroup)
            for length in 2...digits.count { out.append(code.subclass + group + "/" + String(digits[0..<length])) }
        }
        return out
    }
}

extension ReferenceDocumentBuilder {
    /// QUERY.md §9's granted kinds, read from its list (not from the engine's table).
    static func isGrant(_ patent: Patent) -> Bool {
        let office = patent.publication.office, kind = patent.publication.kind
        let lists: [String: Set<String>] = [
            "US": ["B1", "B2", "E", "E1", "S", "S1", "P", "P2", "P3"],
            "EP": ["B1", "B2", "B3"],
            "WO": [],
        ]
        if office == "US", kind == "A" { return (patent.publicationDate?.year ?? 2001) < 2001 }
        if let list = lists[office] { return list.contains(kind) }
        if office == "KR" { return kind.hasPrefix("B") || kind.hasPrefix("Y") || kind.hasPrefix("S") }
        return ["B", "C", "U", "Y", "S"].contains(kind.first.map(String.init) ?? "")
    }
}

