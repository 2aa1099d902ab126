/// The index's schema as one table: every field a segment holds — how it is analysed
/// and stored, its BM25 weight, and which search field codes (QUERY.md §6) look into
/// it — and every integer column with the codes that filter on it. The search side
/// reads which fields a code covers from here (nothing else maps codes to fields); the
/// writer stores the table in each manifest, and an index written under another table
/// is rebuilt from the store, never read with the wrong meaning.
public struct IndexSchema: Codable, Equatable, Sendable {
    public struct FieldEntry: Codable, Equatable, Sendable {
        public var field: IndexField
        /// Text: analysed, positional, stemmed twin, BM25 norms. Party: analysed and
        /// positional, every name its own value, never stemmed. Keyword: exact terms,
        /// documents only.
        public var kind: IndexField.Kind
        /// BM25 field weight (QUERY.md §5; 0 for fields that are not scored).
        public var weight: Double
        /// The search field codes whose terms look into this field.
        public var searchedBy: [String]
    }

    public struct ColumnEntry: Codable, Equatable, Sendable {
        public var column: Column
        /// The search field codes whose values and ranges are read from this column.
        public var searchedBy: [String]
    }

    public var fields: [FieldEntry]
    public var columns: [ColumnEntry]
    /// What a document's values are derived from a record by, numbered: raised whenever
    /// that derivation changes (2: ISD for every granted kind; 3: every spelling of a
    /// party a value of its own; 4: FAM_ID the sources' DOCDB family id; 5: application and
    /// priority numbers in one canonical form per office), so indexes built by the
    /// earlier one are rebuilt rather than answering by the old rules.
    public var derivation: Int

    /// The schema this version writes.
    public static let current: IndexSchema = {
        let ttl = ["TTL", "TA", "TAC", "TACD", "MAINF"], abst = ["ABST", "TA", "TAC", "TACD", "MAINF"]
        let clms = ["CLMS", "TAC", "TACD", "MAINF"], desc = ["DESC", "TACD", "MAINF"]
        /// `*_ALL` codes search the original text and the stored translations.
        func all(_ codes: [String]) -> [String] { codes.filter { $0 != "MAINF" }.map { $0 + "_ALL" } }
        func field(_ field: IndexField, _ kind: IndexField.Kind, weight: Double = 0, _ codes: [String]) -> FieldEntry {
            FieldEntry(field: field, kind: kind, weight: weight, searchedBy: codes)
        }
        return IndexSchema(fields: [
            field(.title, .text, weight: 3, ttl + all(ttl)),
            field(.abstract, .text, weight: 2, abst + all(abst)),
            field(.claims, .text, weight: 1.5, clms + all(clms)),
            field(.independentClaims, .text, weight: 1.5, ["ICLMS"]),
            field(.description, .text, weight: 1, desc + all(desc)),
            field(.titleTranslations, .text, weight: 3, all(ttl)),
            field(.abstractTranslations, .text, weight: 2, all(abst)),
            field(.claimsTranslations, .text, weight: 1.5, all(clms)),
            field(.independentClaimsTranslations, .text, weight: 1.5, []),
            field(.descriptionTranslations, .text, weight: 1, all(desc)),
            // Applicants and assignees are one list of names.
            field(.applicants, .party, ["AN", "ANS", "ANC", "MAINF"]),
            field(.inventors, .party, ["IN", "MAINF"]),
            field(.agents, .party, ["AT"]),
            field(.publicationNumber, .keyword, ["PN", "MAINF"]),
            field(.applicationNumber, .keyword, ["APNO", "MAINF"]),
            field(.priorityNumber, .keyword, ["PRNO"]),
            field(.kindCode, .keyword, ["KD"]),
            field(.authority, .keyword, ["AUTHORITY"]),
            field(.patentType, .keyword, ["PATENT_TYPE"]),
            field(.ipc, .keyword, ["IPC", "MAINF"]),
            field(.cpc, .keyword, ["CPC", "MAINF"]),
            field(.docdbFamily, .keyword, ["FAM_ID"]),
            field(.inpadocFamily, .keyword, ["IFAM_ID"]),
            field(.extendedFamily, .keyword, ["EFAM_ID"]),
        ], columns: [
            ColumnEntry(column: .applicationDate, searchedBy: ["APD", "APD_Y"]),
            ColumnEntry(column: .publicationDate, searchedBy: ["PBD", "PBD_Y"]),
            ColumnEntry(column: .grantDate, searchedBy: ["ISD"]),
            ColumnEntry(column: .priorityDate, searchedBy: ["PRIORITY_DATE"]),
            ColumnEntry(column: .docdbFamily, searchedBy: []),
            ColumnEntry(column: .inpadocFamily, searchedBy: []),
            ColumnEntry(column: .extendedFamily, searchedBy: []),
            ColumnEntry(column: .office, searchedBy: []),
            ColumnEntry(column: .kind, searchedBy: []),
            ColumnEntry(column: .patentType, searchedBy: []),
        ], derivation: 5)
    }()

    /// The entry of a field (the table holds every field, in raw-value order).
    public func entry(_ field: IndexField) -> FieldEntry { fields[Int(field.rawValue)] }

    /// The fields a search field code looks into, in index order.
    public func fields(searchedBy code: String) -> [IndexField] {
        fields.filter { $0.searchedBy.contains(code) }.map(\.field)
    }

    /// The column a search field code's values are read from.
    public func column(searchedBy code: String) -> Column? {
        columns.first { $0.searchedBy.contains(code) }?.column
    }
}

extension IndexField.Kind: Codable {}

/// Fields and columns are written by name (`title`, `publicationDate`), as readable in
/// a manifest as in the code.
extension IndexField: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeByName(decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeByName(self, encoder) }
}

extension Column: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeByName(decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeByName(self, encoder) }
}

private func decodeByName<Value: CaseIterable>(_ decoder: any Decoder) throws -> Value {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let value = Value.allCases.first(where: { "\($0)" == name }) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown \(Value.self) \(name)"))
    }
    return value
}

private func encodeByName(_ value: some Any, _ encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode("\(value)")
}
