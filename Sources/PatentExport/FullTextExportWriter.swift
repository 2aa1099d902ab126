import PatentModel
import Foundation
import PatentQuery

/// full_text of API.md: a ZIP of `<PN>.xml`, one per patent, each a UTF-8
/// `<patent-document pn="…">` with PN and whichever of ABST, CLMS, DESC were requested —
/// abstract paragraphs as `<p>`, claims as numbered `<claim num="…">`, the description
/// as `<heading>` and `<p>` in document order. `schemas/full-text.xsd` describes it.
/// Two records with the same PN get `PN.xml` and `PN_2.xml`.
public final class FullTextExportWriter: ExportWriter {
    private let zip: ZipOutput
    private let codes: Set<String>
    private let languages: ExportLanguages

    init(path: String, fields: [ExportField], languages: ExportLanguages) throws(ExportError) {
        zip = try ZipOutput(path: path)
        codes = Set(fields.map(\.code))
        self.languages = languages
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        let pn = record.patent.pn
        try zip.add(zip.uniqueName(Self.safeName(pn), extension: "xml"), Data(document(record).utf8))
    }

    public func finish() throws(ExportError) { try zip.finish() }

    func document(_ record: ExportRecord) -> String {
        let pn = XMLText.escaped(record.patent.pn)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<patent-document pn=\"\(pn)\">\n<PN>\(pn)</PN>\n"
        if codes.contains("ABST"), let abstract = record.abstract(languages) {
            xml += "<ABST lang=\"\(abstract.language)\">" + abstract.paragraphs.map { "<p>\(XMLText.escaped($0))</p>" }.joined() + "</ABST>\n"
        }
        if codes.contains("CLMS"), let claims = record.claims(languages) {
            xml += "<CLMS lang=\"\(claims.language)\">\n"
            for claim in claims.claims {
                let refers = claim.refersTo.isEmpty ? "" : " refers-to=\"\(claim.refersTo.map(String.init).joined(separator: " "))\""
                xml += "<claim num=\"\(max(1, claim.number))\"\(refers)>\(XMLText.escaped(claim.text))</claim>\n"
            }
            xml += "</CLMS>\n"
        }
        if codes.contains("DESC"), let description = record.description(languages) {
            xml += "<DESC lang=\"\(description.language)\">\n"
            for paragraph in description.paragraphs {
                let tag = paragraph.kind == .heading ? "heading" : "p"
                xml += "<\(tag)>\(XMLText.escaped(paragraph.text))</\(tag)>\n"
            }
            xml += "</DESC>\n"
        }
        return xml + "</patent-document>\n"
    }

    /// A PN as a file name: letters, digits, `-` and `_` only.
    static func safeName(_ pn: String) -> String {
        let kept = pn.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
        return kept.isEmpty ? "patent" : String(String.UnicodeScalarView(kept))
    }
}
