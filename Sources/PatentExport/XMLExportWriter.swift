import PatentModel
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
