/// PatentSearch: evaluates a query's syntax tree on an index snapshot — boolean
/// structure, phrases, proximity on positions, wildcards, numbers, classes, dates —
/// scores matches with BM25 and returns the count and the top hits in total order.
///
/// This file: what a search field means in index terms.
import PatentIndex
import PatentModel
import PatentQuery

/// The index fields and column behind a search field code, as `IndexSchema` lists them.
struct FieldScope {
    let field: SearchField
    /// Positional fields searched by text terms (text and party fields).
    let positionalFields: [IndexField]
    /// Keyword fields searched with number/code rules (MAINF also matches numbers and classes).
    let keywordFields: [IndexField]
    let dateColumn: Column?

    init(_ field: SearchField) {
        self.field = field
        let fields = IndexSchema.current.fields(searchedBy: field.code)
        positionalFields = fields.filter(\.isPositional)
        keywordFields = fields.filter { !$0.isPositional }
        dateColumn = IndexSchema.current.column(searchedBy: field.code)
    }

    static let mainf = FieldScope(FieldCatalogue.searchField(FieldCatalogue.defaultScope)!)

    /// Stemming applies to text fields only, never to parties (QUERY.md §3).
    func isStemmed(_ indexField: IndexField) -> Bool { field.stemmable && indexField.kind == .text }
}

/// Query values of keyword fields turned into the exact terms the index holds.
enum KeywordTerms {
    /// The index term a value asks for in a keyword field, nil when it cannot match.
    static func term(_ value: String, field: IndexField) -> String? {
        switch field {
        case .publicationNumber:
            guard let number = PublicationNumber(parsing: value) else { return nil }
            return number.normalized
        case .applicationNumber, .priorityNumber:
            let compact = NumberNormalizer.compact(value)
            guard !compact.isEmpty else { return nil }
            // `PCT/US2013/064470`: the office is WO, the letters after PCT the receiving office.
            if compact.hasPrefix("PCT") { return NumberNormalizer.applicationKey(office: "WO", number: value) }
            if compact.count > 2, compact.prefix(2).allSatisfy(\.isLetter) {
                // The number after the office's two letters, as written (a check digit keeps
                // its dot); a serial may itself start with letters (Italian `BG2002A000039`).
                var rest = Substring(value)
                var letters = 0
                while letters < 2, let first = rest.first {
                    rest = rest.dropFirst()
                    if first.isLetter { letters += 1 }
                }
                return NumberNormalizer.applicationKey(office: String(compact.prefix(2)), number: String(rest))
            }
            return NumberNormalizer.applicationKey(office: "", number: value)
        case .kindCode, .authority, .patentType:
            let upper = NumberNormalizer.compact(value)
            return upper.isEmpty ? nil : upper
        case .ipc, .cpc:
            guard var code = Classification.normalise(value) else { return nil }
            if code.hasSuffix("/00") { code.removeLast(3) }
            return code
        case .docdbFamily, .inpadocFamily, .extendedFamily:
            return Int(value).map(String.init)
        default:
            return nil
        }
    }

    /// A wildcard value in a keyword field as a pattern over index terms (numbers and
    /// codes compacted to the index spelling, wildcards kept).
    static func pattern(_ value: String, field: IndexField) -> String {
        var out = ""
        for c in value.uppercased() {
            if c == "*" || c == "?" || c == "#" || c.isLetter || c.isNumber || (c == "/" && (field == .ipc || field == .cpc)) {
                out.append(c)
            }
        }
        return out
    }
}
