import PatentQuery

/// JSON of API.md: one array of objects keyed by field code, keys in the requested
/// order; single values are strings or null, multi-valued fields arrays of strings.
public final class JSONExportWriter: ExportWriter {
    private let output: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages
    /// `"CODE":` per field, escaped once.
    private let keys: [[UInt8]]
    private var first = true

    init(output: FileOutput, fields: [ExportField], languages: ExportLanguages) {
        self.output = output
        self.fields = fields
        self.languages = languages
        keys = fields.map { field in
            var key: [UInt8] = []
            key.append(jsonString: field.code)
            key.append(UInt8(ascii: ":"))
            return key
        }
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        let values = record.values(fields, languages: languages)
        let opening: StaticString = first ? "[\n{" : ",\n{"
        first = false
        try output.append { out in
            out.append(literal: opening)
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[index])
                switch value {
                case .single(let value?): out.append(jsonString: value)
                case .single(nil): out.append(literal: "null")
                case .list(let values):
                    out.append(UInt8(ascii: "["))
                    for (position, value) in values.enumerated() {
                        if position > 0 { out.append(UInt8(ascii: ",")) }
                        out.append(jsonString: value)
                    }
                    out.append(UInt8(ascii: "]"))
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public var fileDigest: FileDigest? { output.digest }

    public func finish() throws(ExportError) {
        try output.write(first ? "[]\n" : "\n]\n")
        try output.finish()
    }

}
