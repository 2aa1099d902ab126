import PatentAccounts
import PatentExport
import PatentQuery

/// A validated request of P055 "Create export task by query": every rule of API.md's
/// parameter table and field restrictions. Stored with the task as JSON.
public struct ExportSpecification: Codable, Sendable, Equatable {
    /// offset + rows ≤ 100,000 (API.md).
    public static let window = 100_000

    public var parameters: QueryParameters
    /// Export field codes in the requested order, duplicates removed.
    public var fields: [String]
    public var exportType: ExportType
    public var rows: Int
    public var offset = 0
    /// PatSnap language codes (`en`, `cn`, …).
    public var lang = "en"
    public var transLang = "en"

    /// Validates a JSON request body; the first violation is thrown as 68300004 naming
    /// its parameter.
    public init(body: JSONValue) throws(ServiceError) {
        let request = try RequestParameters(body)
        parameters = try QueryParameters(request)
        let typeName = try request.choice("export_type", ExportType.allCases.map(\.rawValue), required: true)!
        exportType = ExportType(rawValue: typeName)!
        let fieldList = try request.string("fields", required: true)!
        fields = try Self.fields(fieldList, type: exportType)
        rows = try request.integer("rows", required: true)!
        guard rows >= 1, rows <= exportType.maximumRows else {
            throw ServiceError.invalidParameter("rows must be between 1 and \(exportType.maximumRows) for export_type \(exportType.rawValue), not \(rows)")
        }
        offset = try request.offset(rows: rows, rowsName: "offset + rows", window: Self.window)
        lang = try request.choice("lang", ["cn", "en", "jp", "de", "fr", "kr"]) ?? "en"
        transLang = try request.choice("trans_lang", ["cn", "en", "jp"]) ?? "en"
    }

    /// Field codes checked against the catalogue and the export type.
    static func fields(_ list: String, type: ExportType) throws(ServiceError) -> [String] {
        var codes: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let code = item.trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty else { throw ServiceError.invalidParameter("fields holds an empty field code in '\(list)'") }
            guard let field = FieldCatalogue.exportField(code) else {
                throw ServiceError.invalidParameter("fields: unknown export field '\(RequestParameters.quoted(code))'")
            }
            guard field.exportTypes.contains(type) else {
                let allowed = ExportType.allCases.filter { field.exportTypes.contains($0) }.map(\.rawValue).joined(separator: ", ")
                throw ServiceError.invalidParameter("fields: \(field.code) cannot be exported as \(type.rawValue) (only \(allowed))")
            }
            if !codes.contains(field.code) { codes.append(field.code) }
        }
        return codes
    }

    /// The fee level of the task: the highest level among its fields (as the operator set
    /// them), and 3 for pdf (a whole document, claims included) — API.md "Billing".
    public func feeLevel(_ levels: FieldLevels = FieldLevels()) -> Int {
        max(exportType == .pdf ? 3 : 1, exportFields.map(levels.level).max() ?? 1)
    }

    /// What makes the fee level what it is, for error messages.
    func feeLevelReason(_ levels: FieldLevels) -> String {
        let level = feeLevel(levels)
        if let field = exportFields.first(where: { levels.level(of: $0) == level }) { return "field \(field.code)" }
        return "export_type \(exportType.rawValue)"
    }

    public var exportFields: [ExportField] { fields.compactMap(FieldCatalogue.exportField) }
    public var languages: ExportLanguages { ExportLanguages(lang: lang, transLang: transLang) }
}
