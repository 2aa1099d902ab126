import Foundation
import PatentModel
import PatentTestSupport

/// Random queries drawn from a reference corpus's own values, each construct of
/// QUERY.md aimed at its boundaries: proximity distances taken from real token pairs and
/// asked at the gap and one less, `$FREQ` at the count and one more, same and different
/// sentences and paragraphs, CJK characters, numbers in several spellings, classes at
/// every level. `constructs` counts what was generated.
struct ReferenceQueryGenerator {
    var random: SplitMix64
    let corpus: ReferenceCorpus
    let patents: [Patent]
    private(set) var constructs: [String: Int] = [:]
    static let textFields = ["TTL", "ABST", "CLMS", "ICLMS", "DESC", "TA", "TAC", "TACD", "TTL_ALL", "ABST_ALL", "CLMS_ALL",
                             "TA_ALL", "TAC_ALL", "TACD_ALL"]
    static let required = ["word", "phrase", "wildcard*", "wildcard?", "wildcard#", "leading*", "cjk", "cjk-wildcard",
                           "$W", "$PRE", "$SEN", "$PARA", "$WS", "chain", "(prox) operand", "OR operand", "$FREQ n", "$FREQ n+1",
                           "party", "NOT", "leading NOT", "OR", "AND", "PN", "APNO", "PRNO", "IPC", "CPC", "class wildcard",
                           "date", "date range", "year", "ISD", "code", "family", "fielded text", "_ALL"]

    init(corpus: ReferenceCorpus, patents: [Patent], seed: UInt64) {
        random = SplitMix64(state: seed)
        self.corpus = corpus
        self.patents = patents
    }

    private mutating func note(_ construct: String) { constructs[construct, default: 0] += 1 }

    private func word(_ id: Int32) -> String { corpus.vocabulary.words[Int(id)] }

    /// A random live document's value of a random field, with the field's query code.
    private mutating func value(text: Bool) -> (code: String, value: ReferenceValue)? {
        let docs = corpus.documents.filter(\.live)
        for _ in 0..<20 {
            let doc = random.pick(docs)
            let fields = doc.values.keys.filter { text ? $0.isText : !$0.isText }.sorted { $0.rawValue < $1.rawValue }
            guard !fields.isEmpty else { continue }
            let field = random.pick(fields)
            let code: String
            switch field {
            case .title: code = "TTL"
            case .abstract: code = "ABST"
            case .claims: code = "CLMS"
            case .independentClaims: code = "ICLMS"
            case .description: code = "DESC"
            case .titleTranslations: code = "TTL_ALL"
            case .abstractTranslations: code = "ABST_ALL"
            case .claimsTranslations, .independentClaimsTranslations: code = "CLMS_ALL"
            case .descriptionTranslations: code = "TACD_ALL"
            case .applicants: code = "AN"
            case .inventors: code = "IN"
            case .agents: code = "AT"
            }
            return (code, random.pick(doc.values[field]!))
        }
        return nil
    }

    private static func quoted(_ words: [String]) -> String { "\"" + words.joined(separator: " ") + "\"" }

    /// The operator words are searched inside quotes only (§2).
    private static func isOperator(_ word: String) -> Bool { ["and", "or", "not", "to"].contains(word) }
    private static func searchable(_ word: String) -> String { isOperator(word) ? "\"\(word)\"" : word }

    private static func isCJK(_ text: String) -> Bool { text.unicodeScalars.contains(where: ReferenceText.standsAlone) }

    /// An operand: a word, a phrase or a wildcard word taken at a position of a value.
    private mutating func atom(_ value: ReferenceValue, at i: Int) -> String {
        let text = word(value.tokens[i])
        if Self.isOperator(text) {
            note("phrase")
            return Self.searchable(text)
        }
        if Self.isCJK(text) { note("cjk") }
        switch random.next() % 10 {
        case 0...1 where i + 1 < value.tokens.count:
            note("phrase")
            return Self.quoted([text, word(value.tokens[i + 1])])
        case 2 where text.count > 3:
            let (marker, cut) = random.pick([("*", 2), ("?", 1), ("#", 1)])
            note("wildcard" + marker)
            return String(text.dropLast(cut)) + marker
        case 3 where text.count > 4:
            note("leading*")
            return "*" + String(text.suffix(3))
        case 4 where Self.isCJK(text):
            note("cjk-wildcard")
            return text + "*"
        default:
            note("word")
            return text
        }
    }

    /// A proximity over two positions of one value, with the distance at or just inside
    /// the boundary.
    private mutating func proximity() -> String? {
        guard let (code, value) = value(text: random.chance(80)), value.tokens.count >= 2 else { return nil }
        let i = Int(random.next() % UInt64(value.tokens.count - 1))
        let j = min(value.tokens.count - 1, i + 1 + Int(random.next() % 12))
        var left = atom(value, at: i), right = atom(value, at: j)
        if random.chance(15) {
            note("OR operand")
            left = "(\(left) OR \(Self.searchable(word(value.tokens[Int(random.next() % UInt64(value.tokens.count))]))))"
        }
        let gap = max(0, j - i - 2)  // the phrase operand may end one token later
        let op: String
        switch random.next() % 6 {
        case 0: op = "$W\(random.chance(50) ? gap : max(0, gap - 1))"; note("$W")
        case 1: op = "$PRE\(random.chance(50) ? gap : max(0, gap - 1))"; note("$PRE")
            if random.chance(30) { swap(&left, &right) }
        case 2: op = "$SEN"; note("$SEN")
        case 3: op = "$PARA"; note("$PARA")
        case 4: op = "$WS"; note("$WS")
        default: op = "$W\(gap + 1)"; note("$W")
        }
        var query = "\(left) \(op) \(right)"
        if random.chance(25), j + 1 < value.tokens.count {
            let third = atom(value, at: min(value.tokens.count - 1, j + 1 + Int(random.next() % 3)))
            if random.chance(50) {
                note("chain")
                query += " $PRE3 \(third)"
            } else {
                note("(prox) operand")
                query = "(\(query)) $W4 \(third)"
            }
        }
        if code == "AN" || code == "IN" || code == "AT" { note("party") }
        if code.hasSuffix("_ALL") { note("_ALL") }
        return random.chance(70) ? "\(code):(\(query))" : query
    }

    private mutating func frequency() -> String? {
        guard let (code, value) = value(text: true), !value.tokens.isEmpty else { return nil }
        let id = random.pick(value.tokens)
        let count = value.tokens.count { $0 == id }
        let n = random.chance(50) ? count : count + 1
        note(n == count ? "$FREQ n" : "$FREQ n+1")
        return "\(code):(\(Self.searchable(word(id))) $FREQ\(min(max(n, 1), 50)))"
    }

    private mutating func number() -> String {
        let patent = random.pick(patents)
        switch random.next() % 3 {
        case 0:
            note("PN")
            let pn = patent.publication
            let serial = pn.number
            return random.pick(["PN:\(pn.office)\(serial)\(pn.kind)", "PN:\(pn.office)\(serial)",
                                "PN:\(pn.office.lowercased())0\(serial)\(pn.kind.lowercased())", "PN:\"\(pn.office) \(serial)\""])
        case 1:
            guard let application = patent.application else { return number() }
            note("APNO")
            let bare = Self.withoutOffice(application)
            return random.pick(["APNO:\"\(application.office)\(bare)\"", "APNO:\"\(application.number)\""])
        default:
            guard let priority = patent.priorities.first else { return number() }
            note("PRNO")
            let bare = Self.withoutOffice(priority)
            let digits = bare.filter { $0.isLetter || $0.isNumber }
            return random.pick(["PRNO:\"\(priority.office)\(bare)\"", "PRNO:\"\(priority.number)\"",
                                "PRNO:\(priority.office)\(digits)", "PRNO:\"\(priority.office) 0\(digits)\""])
        }
    }

    /// A reference's number without the office some sources write in front of it (`EP12345678`).
    private static func withoutOffice(_ reference: DocumentReference) -> String {
        let number = reference.number.trimmingCharacters(in: .whitespaces)
        guard number.uppercased().hasPrefix(reference.office.uppercased()), number.dropFirst(reference.office.count).first?.isNumber == true
        else { return number }
        return String(number.dropFirst(reference.office.count))
    }

    private mutating func classification() -> String {
        let patent = random.pick(patents.filter { !$0.ipc.isEmpty || !$0.cpc.isEmpty })
        let useCPC = patent.ipc.isEmpty || (!patent.cpc.isEmpty && random.chance(50))
        let code = random.pick(useCPC ? patent.cpc : patent.ipc)
        let field = useCPC ? "CPC" : "IPC"
        note(field)
        let levels = ReferenceClasses.hierarchy(code)
        guard let level = levels.isEmpty ? nil : random.pick(levels) else { return "\(field):\"\(code)\"" }
        switch random.next() % 4 {
        case 0: return "\(field):\"\(code)\""
        case 1:
            note("class wildcard")
            return "\(field):\(level.prefix(max(1, level.count - 1)))*"
        default: return "\(field):\(level)"
        }
    }

    private mutating func date() -> String {
        let patent = random.pick(patents)
        let dates = [("APD", patent.application?.date), ("PBD", patent.publicationDate), ("ISD", patent.grantDate),
                     ("PRIORITY_DATE", patent.priorities.compactMap(\.date).min() ?? patent.application?.date)]
        let (field, value) = random.pick(dates)
        guard let value = value?.value else { return date() }
        if field == "ISD" { note("ISD") }
        switch random.next() % 4 {
        case 0: note("date"); return "\(field):\(value)"
        case 1:
            note("year")
            let year = value / 10_000
            return "\(field == "PBD" ? "PBD_Y" : "APD_Y"):[\(year) TO \(random.chance(50) ? String(year) : "*")]"
        default:
            note("date range")
            let next = PatentDate(String(value + 1)) == nil ? value : value + 1
            return random.pick(["\(field):[\(value) TO *]", "\(field):[* TO \(value)]", "\(field):[\(next) TO *]",
                                "\(field):[\(value / 10_000 * 10_000 + 101) TO \(value)]"])
        }
    }

    private mutating func code() -> String {
        let patent = random.pick(patents)
        note("code")
        return random.pick(["KD:\(patent.publication.kind)", "AUTHORITY:\(patent.publication.office.lowercased())",
                            "PATENT_TYPE:\(patent.type.rawValue)"])
    }

    private mutating func family() -> String? {
        let docs = corpus.documents.filter { $0.live && !$0.families.isEmpty }
        guard !docs.isEmpty else { return nil }
        let (level, id) = random.pick(random.pick(docs).families.sorted { $0.key < $1.key })
        note("family")
        return "\(level):\(id)"
    }

    private mutating func text() -> String? {
        guard let (code, value) = value(text: random.chance(85)), !value.tokens.isEmpty else { return nil }
        let term = atom(value, at: Int(random.next() % UInt64(value.tokens.count)))
        guard random.chance(60) else { return term }
        note(code == "AN" || code == "IN" || code == "AT" ? "party" : "fielded text")
        if code.hasSuffix("_ALL") { note("_ALL") }
        return "\(random.chance(30) ? random.pick(Self.textFields) : code):\(term)"
    }

    mutating func unit() -> String {
        let made: String?
        switch random.next() % 20 {
        case 0...5: made = proximity()
        case 6, 7: made = frequency()
        case 8, 9: made = number()
        case 10, 11: made = classification()
        case 12: made = date()
        case 13: made = code()
        case 14: made = family()
        default: made = text()
        }
        return made ?? unit()
    }

    mutating func query(depth: Int = 2) -> String {
        guard depth > 0 else { return unit() }
        switch random.next() % 8 {
        case 0: note("AND"); return "\(query(depth: depth - 1)) AND \(query(depth: depth - 1))"
        case 1: note("OR"); return "(\(query(depth: depth - 1)) OR \(query(depth: depth - 1)))"
        case 2: note("NOT"); return "\(query(depth: depth - 1)) NOT \(unit())"
        case 3: note("leading NOT"); return "NOT \(unit())"
        default: return unit()
        }
    }
}
