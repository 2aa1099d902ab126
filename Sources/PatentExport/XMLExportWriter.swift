import PatentModel
import PatentQuery

/// XML of API.md: `<patents>` of `<patent>` elements with one child element per field
/// code in the requested order. A multi-valued field holds one `<value>` per value; an
/// absent value is an empty element. Characters XML 1.0 forbids are dropped.
public final class XMLExportWriter: ExportWriter {
    private let output: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages
    /// `<CODE>`, `</CODE>` and `<CODE/>` per field, made once.
    private let tags: [(open: [UInt8], close: [UInt8], empty: [UInt8])]

    init(output: FileOutput, fields: [ExportField], languages: ExportLanguages) throws(ExportError) {
        self.output = output
        self.fields = fields
        self.languages = languages
        tags = fields.map { field in (Array("<\(field.code)>".utf8), Array("</\(field.code)>".utf8), Array("<\(field.code)/>".utf8)) }
        try output.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<patents>\n")
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        let values = record.values(fields, languages: languages)
        try output.append { out in
            out.append(literal: "<patent>")
            for (index, value) in values.enumerated() {
                switch value {
                case .single(nil): out.append(contentsOf: tags[index].empty)
                case .single(let value?):
                    out.append(contentsOf: tags[index].open)
                    XMLText.append(value, escapedTo: &out)
                    out.append(contentsOf: tags[index].close)
                case .list(let values):
                    out.append(contentsOf: tags[index].open)
                    for value in values {
                        out.append(literal: "<value>")
                        XMLText.append(value, escapedTo: &out)
                        out.append(literal: "</value>")
                    }
                    out.append(contentsOf: tags[index].close)
                }
            }
            out.append(literal: "</patent>\n")
        }
    }

    public var fileDigest: FileDigest? { output.digest }

    public func finish() throws(ExportError) {
        try output.write("</patents>\n")
        try output.finish()
    }
}
