import PatentQuery

/// A file format's writer: records go in one at a time, in result order, and reach
/// the disk as they come; `finish` completes the file and forces it to disk.
public protocol ExportWriter: AnyObject {
    func write(_ record: ExportRecord) throws(ExportError)
    func finish() throws(ExportError)
}

/// The writers of API.md "Export files" by export type.
public enum ExportFormat {
    /// The upper-case extension of the download's file name (`yyyyMMddHHmmssSSS.CSV`).
    public static func fileExtension(_ type: ExportType) -> String {
        switch type {
        case .csv: return "CSV"
        case .json: return "JSON"
        case .xml: return "XML"
        case .xls: return "XLSX"
        case .pdf, .fullText: return "ZIP"
        }
    }

    public static func contentType(_ type: ExportType) -> String {
        switch type {
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json"
        case .xml: return "application/xml"
        case .xls: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pdf, .fullText: return "application/zip"
        }
    }

    /// A writer of `type` creating the file at `path`.
    public static func writer(_ type: ExportType, path: String, fields: [ExportField],
                              languages: ExportLanguages) throws(ExportError) -> any ExportWriter {
        switch type {
        case .csv: return try CSVExportWriter(output: try FileOutput(path: path), fields: fields, languages: languages)
        case .json: return JSONExportWriter(output: try FileOutput(path: path), fields: fields, languages: languages)
        case .xml: return try XMLExportWriter(output: try FileOutput(path: path), fields: fields, languages: languages)
        case .xls: return try XLSXExportWriter(path: path, fields: fields, languages: languages)
        case .fullText: return try FullTextExportWriter(path: path, fields: fields, languages: languages)
        case .pdf: return try PDFExportWriter(path: path, languages: languages)
        }
    }
}
