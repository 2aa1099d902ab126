import PatentModel
import PatentQuery

/// A file format's writer: records go in one at a time, in result order, and reach
/// the disk as they come; `finish` completes the file and forces it to disk.
public protocol ExportWriter: AnyObject {
    func write(_ record: ExportRecord) throws(ExportError)
    func finish() throws(ExportError)
    /// The finished file's size and SHA-256 when the writer hashed it as it wrote (one
    /// pass over the bytes); nil when the file must be read again for them (a ZIP's
    /// headers are completed after their entries).
    var fileDigest: FileDigest? { get }
}

extension ExportWriter {
    public var fileDigest: FileDigest? { nil }
}

/// A file's size and SHA-256.
public struct FileDigest: Sendable, Equatable {
    public let size: Int
    public let sha256: [UInt8]
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

    /// The parts of the stored records an export reads besides the bibliographic data:
    /// the text fields it asks for (a pdf shows everything). The rest stay undecoded.
    public static func recordParts(_ type: ExportType, fields: [ExportField]) -> PatentRecordCodec.Parts {
        guard type != .pdf else { return .all }
        var parts: PatentRecordCodec.Parts = []
        for field in fields {
            switch field.code {
            case "ABST": parts.insert(.abstracts)
            case "CLMS": parts.insert(.claims)
            case "DESC": parts.insert(.descriptions)
            default: break
            }
        }
        return parts
    }

    /// Whether the format's rows are the fields' values (`ExportRecord.values`); pdf and
    /// full_text lay out the record themselves.
    public static func writesFieldValues(_ type: ExportType) -> Bool {
        switch type {
        case .csv, .json, .xml, .xls: return true
        case .pdf, .fullText: return false
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
