import PatentQuery

/// XML of API.md: `<patents>` of `<patent>` elements with one child element per field
/// code in the requested order. A multi-valued field holds one `<value>` per value; an
/// absent value is an empty element. Characters XML 1.0 forbids are dropped.
public final class XMLExportWriter: ExportWriter {
    private let output: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages

    init(output: FileOutput, fields: [ExportField], languages: ExportLanguages) throws(ExportError) {
        self.output = output
        self.fields = fields
        self.languages = languages
        try output.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<patents>\n")
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        var text = "<patent>"
        for (field, value) in zip(fields, record.values(fields, languages: languages)) {
            switch value {
            case .single(nil): text += "<\(field.code)/>"
            case .single(let value?): text += "<\(field.code)>\(XMLText.escaped(value))</\(field.code)>"
            case .list(let values):
                text += "<\(field.code)>" + values.map { "<value>\(XMLText.escaped($0))</value>" }.joined() + "</\(field.code)>"
            }
        }
        try output.write(text + "</patent>\n")
    }

    public func finish() throws(ExportError) {
        try output.write("</patents>\n")
        try output.finish()
    }
}

/// Text for XML 1.0 documents.
public enum XMLText {
    /// Escapes `& < > " '` and drops the characters XML 1.0 does not allow (controls other
    /// than tab, LF, CR; U+FFFE, U+FFFF).
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if isAllowed(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0..<0x20, 0xFFFE, 0xFFFF: return false
        default: return true
        }
    }
}
