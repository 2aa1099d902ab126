import PatentQuery

/// JSON of API.md: one array of objects keyed by field code, keys in the requested
/// order; single values are strings or null, multi-valued fields arrays of strings.
public final class JSONExportWriter: ExportWriter {
    private let output: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages
    private var first = true

    init(output: FileOutput, fields: [ExportField], languages: ExportLanguages) {
        self.output = output
        self.fields = fields
        self.languages = languages
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        var text = first ? "[\n" : ",\n"
        first = false
        text += "{"
        for (index, (field, value)) in zip(fields, record.values(fields, languages: languages)).enumerated() {
            if index > 0 { text += "," }
            text += Self.string(field.code) + ":"
            switch value {
            case .single(let value): text += value.map(Self.string) ?? "null"
            case .list(let values): text += "[" + values.map(Self.string).joined(separator: ",") + "]"
            }
        }
        text += "}"
        try output.write(text)
    }

    public func finish() throws(ExportError) {
        try output.write(first ? "[]\n" : "\n]\n")
        try output.finish()
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
