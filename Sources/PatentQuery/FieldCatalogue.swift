/// The field catalogue as data: every search field of QUERY.md §6 with its kind,
/// stemming and ranges (which index fields it looks into is the index schema's table,
/// `IndexSchema`); and every export field of API.md with its fee level and the export
/// types that accept it.

/// What a search field holds, which decides how its values match.
public enum FieldKind: String, Sendable, Codable {
    /// Analysed text (QUERY.md §1); stemming applies.
    case text
    /// Names of applicants, assignees, inventors, agents: analysed, never stemmed.
    case party
    /// Publication, application and priority numbers.
    case number
    /// Exact codes: kind code, office, patent type.
    case code
    /// IPC/CPC with hierarchy matching.
    case classification
    case date
    case year
    case family
    /// The default scope MAINF: text, party, number and class parts at once.
    case mixed
}

public struct SearchField: Sendable, Equatable {
    public let code: String
    public let kind: FieldKind
    public let stemmable: Bool
    public let allowsRange: Bool
    /// `*_ALL` fields search the original text and every stored translation.
    public let includesTranslations: Bool
    /// One line for a person choosing a field (the sandbox's field list).
    public let description: String
}

public enum ExportType: String, Sendable, CaseIterable, Codable {
    case json, csv, xls, xml, pdf
    case fullText = "full_text"

    /// Row cap of API.md: 100,000 for data files, 1,000 for pdf and full_text.
    public var maximumRows: Int { self == .pdf || self == .fullText ? 1_000 : 100_000 }
}

public struct ExportField: Sendable, Equatable {
    public let code: String
    /// Fee level: 1 bibliographic, 2 abstract/parties/classes/families, 3 claims/description.
    public let level: Int
    public let exportTypes: Set<ExportType>
    public let multiValued: Bool
    public let title: String
}

public enum FieldCatalogue {
    /// The default scope of an unfielded term.
    public static let defaultScope = "MAINF"

    public static let searchFields: [SearchField] = {
        func field(_ code: String, _ kind: FieldKind, stem: Bool = false, range: Bool = false, all: Bool = false,
                   _ description: String) -> SearchField {
            SearchField(code: code, kind: kind, stemmable: stem, allowsRange: range, includesTranslations: all, description: description)
        }
        var fields = [
            field("TTL", .text, stem: true, "Title"),
            field("ABST", .text, stem: true, "Abstract"),
            field("CLMS", .text, stem: true, "Claims"),
            field("ICLMS", .text, stem: true, "Independent claims"),
            field("DESC", .text, stem: true, "Description"),
            field("TA", .text, stem: true, "Title or abstract"),
            field("TAC", .text, stem: true, "Title, abstract or claims"),
            field("TACD", .text, stem: true, "Title, abstract, claims or description"),
            field("MAINF", .mixed, stem: true, "Main fields (an unfielded term): text, applicants, inventors, numbers"),
            field("AN", .party, "Applicants and assignees"),
            field("ANS", .party, "Standardised applicants"),
            field("ANC", .party, "Current assignees"),
            field("IN", .party, "Inventors"),
            field("AT", .party, "Agents"),
            field("PN", .number, "Publication number (with or without kind code)"),
            field("APNO", .number, "Application number"),
            field("PRNO", .number, "Priority number"),
            field("KD", .code, "Kind code (A1, B2, U, …)"),
            field("AUTHORITY", .code, "Publication authority (US, CN, EP, WO, …)"),
            field("PATENT_TYPE", .code, "Patent type (invention application, grant, utility model, design)"),
            field("APD", .date, range: true, "Application date, yyyyMMdd or a range [from TO to]"),
            field("APD_Y", .year, range: true, "Application year"),
            field("PBD", .date, range: true, "Publication date, yyyyMMdd or a range [from TO to]"),
            field("PBD_Y", .year, range: true, "Publication year"),
            field("ISD", .date, range: true, "Grant date"),
            field("PRIORITY_DATE", .date, range: true, "Earliest priority date"),
            field("IPC", .classification, "IPC classification (a code finds its subgroups)"),
            field("CPC", .classification, "CPC classification (a code finds its subgroups)"),
            field("FAM_ID", .family, "DOCDB family id"),
            field("IFAM_ID", .family, "INPADOC family id"),
            field("EFAM_ID", .family, "Extended family id"),
        ]
        for base in ["TTL", "ABST", "CLMS", "TA", "TAC", "TACD"] {
            let described = fields.first { $0.code == base }?.description ?? base
            fields.append(field(base + "_ALL", .text, stem: true, all: true, described + ", original and translations"))
        }
        return fields
    }()

    private static let searchByCode: [String: SearchField] = Dictionary(uniqueKeysWithValues: searchFields.map { ($0.code, $0) })

    /// The search field for a code, case-insensitive.
    public static func searchField(_ code: String) -> SearchField? { searchByCode[code.uppercased()] }

    public static let exportFields: [ExportField] = {
        let data: Set<ExportType> = [.json, .csv, .xls, .xml, .pdf]
        func field(_ code: String, _ level: Int, _ types: Set<ExportType>, multi: Bool = false, _ title: String) -> ExportField {
            ExportField(code: code, level: level, exportTypes: types, multiValued: multi, title: title)
        }
        return [
            field("PN", 1, data.union([.fullText]), "Publication number"),
            field("KD", 1, data, "Kind code"),
            field("AUTHORITY", 1, data, "Publication authority"),
            field("PATENT_TYPE", 1, data, "Patent type"),
            field("APNO", 1, data, "Application number"),
            field("APD", 1, data, "Application date"),
            field("PBD", 1, data, "Publication date"),
            field("ISD", 1, data, "Grant date"),
            field("PRIORITY_DATE", 1, data, "Earliest priority date"),
            field("TTL", 1, data, "Title"),
            field("ABST", 2, data.union([.fullText]), "Abstract"),
            field("AN", 2, data, multi: true, "Applicants and assignees"),
            field("ANS", 2, data, multi: true, "Standardised applicants"),
            field("ANC", 2, data, multi: true, "Current assignees (the assignees, else the applicants)"),
            field("IN", 2, data, multi: true, "Inventors"),
            field("AT", 2, data, multi: true, "Agents"),
            field("IPC", 2, data, multi: true, "IPC classifications"),
            field("CPC", 2, data, multi: true, "CPC classifications"),
            field("PRNO", 2, data, multi: true, "Priority numbers"),
            field("FAM_ID", 2, data, "DOCDB family id (as the sources give it; a 10-digit local id for families no source names)"),
            field("IFAM_ID", 2, data, "INPADOC family id (local, 10 digits)"),
            field("EFAM_ID", 2, data, "Extended family id (local, 10 digits)"),
            field("CLMS", 3, [.pdf, .fullText], multi: true, "Claims"),
            field("DESC", 3, [.fullText], "Description"),
        ]
    }()

    private static let exportByCode: [String: ExportField] = Dictionary(uniqueKeysWithValues: exportFields.map { ($0.code, $0) })

    /// The export field for a code, case-insensitive.
    public static func exportField(_ code: String) -> ExportField? { exportByCode[code.uppercased()] }
}
