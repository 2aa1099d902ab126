import PatentModel
import PatentQuery
import CPangoCairo
import Foundation

/// Renders one whole patent on A4 with cairo and pango, as the front page and text of a
/// published document would hold it (API.md "Changes": pdf is the whole record whatever
/// `fields` says): the title and number, a table of the bibliographic data, the abstract,
/// the numbered claims and the description with its headings, wrapped to the page with
/// page numbers. Pango picks fonts through fontconfig (a CJK font such as WenQuanYi Micro
/// Hei covers Chinese and Japanese); cairo embeds them as subsets with ToUnicode maps, so
/// the text extracts.
final class PDFRenderer {
    static let pageWidth = 595.276
    static let pageHeight = 841.89
    static let margin = 56.0
    static let scale = Double(PANGO_SCALE)

    private let surface: OpaquePointer
    private let context: OpaquePointer
    private var y = margin
    private var page = 1

    init(path: String) throws(ExportError) {
        guard let surface = cairo_pdf_surface_create(path, Self.pageWidth, Self.pageHeight),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
            throw ExportError.io("cannot create the PDF \(path)")
        }
        self.surface = surface
        self.context = context
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// The bibliographic rows of the front page, in this order.
    static let bibliographicCodes = ["KD", "PATENT_TYPE", "APNO", "APD", "PBD", "ISD", "PRIORITY_DATE", "PRNO",
                                     "AN", "IN", "AT", "IPC", "CPC", "FAM_ID"]

    /// Writes the record's pages and closes the file.
    static func render(_ record: ExportRecord, languages: ExportLanguages, to path: String) throws(ExportError) {
        let renderer = try PDFRenderer(path: path)
        let title = record.value("TTL", languages: languages).values.first ?? record.patent.pn
        renderer.paragraph(XMLText.escaped(title), font: "Sans Bold 15", after: 4)
        renderer.paragraph(XMLText.escaped(record.patent.pn), font: "Sans 10", after: 12)
        for code in bibliographicCodes {
            let value = record.value(code, languages: languages).values.joined(separator: "; ")
            guard !value.isEmpty else { continue }
            let name = FieldCatalogue.exportField(code)?.title ?? code
            renderer.paragraph("<b>\(XMLText.escaped(name))</b>  \(XMLText.escaped(value))", font: "Sans 9.5", after: 3)
        }
        if let abstract = record.abstract(languages) {
            renderer.paragraph("<b>Abstract</b>", font: "Sans 11", before: 12, after: 4)
            for paragraph in abstract.paragraphs { renderer.paragraph(XMLText.escaped(paragraph), font: "Sans 10", after: 6) }
        }
        if let claims = record.claims(languages) {
            renderer.paragraph("<b>Claims</b>", font: "Sans 11", before: 12, after: 4)
            for claim in claims.claims {
                renderer.paragraph("<b>\(claim.number).</b> \(XMLText.escaped(claim.text))", font: "Sans 10", after: 6)
            }
        }
        if let description = record.description(languages), !description.paragraphs.isEmpty {
            renderer.paragraph("<b>Description</b>", font: "Sans 11", before: 12, after: 4)
            for paragraph in description.paragraphs {
                let isHeading = paragraph.kind == .heading
                renderer.paragraph(isHeading ? "<b>\(XMLText.escaped(paragraph.text))</b>" : XMLText.escaped(paragraph.text),
                                   font: "Sans 10", before: isHeading ? 6 : 0, after: isHeading ? 3 : 6)
            }
        }
        try renderer.close()
    }

    /// One paragraph of pango markup, wrapped to the text width and broken across pages
    /// line by line.
    func paragraph(_ markup: String, font: String, before: Double = 0, after: Double) {
        y += before
        let layout = pango_cairo_create_layout(context)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let description = pango_font_description_from_string(font)
        defer { pango_font_description_free(description) }
        pango_layout_set_font_description(layout, description)
        pango_layout_set_width(layout, Int32((Self.pageWidth - 2 * Self.margin) * Self.scale))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_markup(layout, markup, -1)
        for index in 0..<pango_layout_get_line_count(layout) {
            guard let line = pango_layout_get_line_readonly(layout, index) else { continue }
            var logical = PangoRectangle()
            pango_layout_line_get_extents(line, nil, &logical)
            let height = Double(logical.height) / Self.scale
            if y + height > Self.pageHeight - Self.margin { newPage() }
            cairo_move_to(context, Self.margin, y - Double(logical.y) / Self.scale)
            pango_cairo_show_layout_line(context, line)
            y += height
        }
        y += after
    }

    private func footer() {
        let layout = pango_cairo_create_layout(context)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        let description = pango_font_description_from_string("Sans 8")
        defer { pango_font_description_free(description) }
        pango_layout_set_font_description(layout, description)
        pango_layout_set_width(layout, Int32((Self.pageWidth - 2 * Self.margin) * Self.scale))
        pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        pango_layout_set_text(layout, "Page \(page)", -1)
        cairo_move_to(context, Self.margin, Self.pageHeight - Self.margin + 18)
        pango_cairo_show_layout(context, layout)
    }

    private func newPage() {
        footer()
        cairo_show_page(context)
        page += 1
        y = Self.margin
    }

    private func close() throws(ExportError) {
        footer()
        cairo_show_page(context)
        cairo_surface_finish(surface)
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw ExportError.io("the PDF could not be written: \(String(cString: cairo_status_to_string(cairo_surface_status(surface))))")
        }
    }
}

/// pdf of API.md: a ZIP of `<PN>.pdf`, one document per patent — the office's original
/// PDF when the repository holds one (`ExportRecord.originalPDF`), else a rendering of the
/// whole record (`PDFRenderer`). Each rendering goes to a temporary file and is streamed
/// into the ZIP, so memory holds one patent at a time.
public final class PDFExportWriter: ExportWriter {
    private let zip: ZipOutput
    private let path: String
    private let languages: ExportLanguages

    init(path: String, languages: ExportLanguages) throws(ExportError) {
        self.path = path
        zip = try ZipOutput(path: path)
        self.languages = languages
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        let name = zip.uniqueName(FullTextExportWriter.safeName(record.patent.pn), extension: "pdf")
        if let original = record.originalPDF, let size = Self.size(original) {
            try zip.add(name, parts: [.file(original, size: size)])
            return
        }
        let page = path + ".page.pdf"
        defer { try? FileManager.default.removeItem(atPath: page) }
        try PDFRenderer.render(record, languages: languages, to: page)
        try zip.add(name, parts: [.file(page, size: Self.size(page) ?? 0)])
    }

    private static func size(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    public func finish() throws(ExportError) { try zip.finish() }
}
