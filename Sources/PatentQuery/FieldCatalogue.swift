/// The field catalogue as data: every search field of QUERY.md §6 with its kind, the
/// stored fields it covers, stemming and ranges; and every export field of API.md with
/// its fee level and the export types that accept it.

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

/// The parts of a stored patent a search field looks into.
public enum StoredField: String, Sendable, Codable, CaseIterable {
    case title, abstract, claims, independentClaims, description
    case applicant, assignee, inventor, agent
    case publicationNumber, applicationNumber, priorityNumber, kindCode, authority, patentType
    case applicationDate, publicationDate, grantDate, priorityDate
    case ipc, cpc
    case docdbFamily, inpadocFamily, extendedFamily
}

public struct SearchField: Sendable, Equatable {
    public let code: String
    public let kind: FieldKind
    public let covers: [StoredField]
    public let stemmable: Bool
    public let allowsRange: Bool
    /// `*_ALL` fields search the original text and every stored translation.
    public let includesTranslations: Bool
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
        let text: [StoredField] = [.title, .abstract, .claims, .description]
        func field(_ code: String, _ kind: FieldKind, _ covers: [StoredField], stem: Bool = false, range: Bool = false,
                   all: Bool = false) -> SearchField {
            SearchField(code: code, kind: kind, covers: covers, stemmable: stem, allowsRange: range, includesTranslations: all)
        }
        var fields = [
            field("TTL", .text, [.title], stem: true),
            field("ABST", .text, [.abstract], stem: true),
            field("CLMS", .text, [.claims], stem: true),
            field("ICLMS", .text, [.independentClaims], stem: true),
            field("DESC", .text, [.description], stem: true),
            field("TA", .text, [.title, .abstract], stem: true),
            field("TAC", .text, [.title, .abstract, .claims], stem: true),
            field("TACD", .text, text, stem: true),
            field("MAINF", .mixed, text + [.applicant, .assignee, .inventor, .publicationNumber, .applicationNumber, .ipc, .cpc],
                  stem: true),
            field("AN", .party, [.applicant, .assignee]),
            field("ANS", .party, [.applicant, .assignee]),
            field("ANC", .party, [.applicant, .assignee]),
            field("IN", .party, [.inventor]),
            field("AT", .party, [.agent]),
            field("PN", .number, [.publicationNumber]),
            field("APNO", .number, [.applicationNumber]),
            field("PRNO", .number, [.priorityNumber]),
            field("KD", .code, [.kindCode]),
            field("AUTHORITY", .code, [.authority]),
            field("PATENT_TYPE", .code, [.patentType]),
            field("APD", .date, [.applicationDate], range: true),
            field("APD_Y", .year, [.applicationDate], range: true),
            field("PBD", .date, [.publicationDate], range: true),
            field("PBD_Y", .year, [.publicationDate], range: true),
            field("ISD", .date, [.grantDate], range: true),
            field("PRIORITY_DATE", .date, [.priorityDate], range: true),
            field("IPC", .classification, [.ipc]),
            field("CPC", .classification, [.cpc]),
            field("FAM_ID", .family, [.docdbFamily]),
            field("IFAM_ID", .family, [.inpadocFamily]),
            field("EFAM_ID", .family, [.extendedFamily]),
        ]
        for base in ["TTL", "ABST", "CLMS", "TA", "TAC", "TACD"] {
            let original = fields.first { $0.code == base }!
            fields.append(field(base + "_ALL", .text, original.covers, stem: true, all: true))
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
            field("IN", 2, data, multi: true, "Inventors"),
            field("AT", 2, data, multi: true, "Agents"),
            field("IPC", 2, data, multi: true, "IPC classifications"),
            field("CPC", 2, data, multi: true, "CPC classifications"),
            field("PRNO", 2, data, multi: true, "Priority numbers"),
            field("FAM_ID", 2, data, "DOCDB family id"),
            field("IFAM_ID", 2, data, "INPADOC family id"),
            field("EFAM_ID", 2, data, "Extended family id"),
            field("CLMS", 3, [.pdf, .fullText], multi: true, "Claims"),
            field("DESC", 3, [.fullText], "Description"),
        ]
    }()

    private static let exportByCode: [String: ExportField] = Dictionary(uniqueKeysWithValues: exportFields.map { ($0.code, $0) })

    /// The export field for a code, case-insensitive.
    public static func exportField(_ code: String) -> ExportField? { exportByCode[code.uppercased()] }
}
