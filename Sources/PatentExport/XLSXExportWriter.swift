import PatentModel
import Foundation
import PatentQuery

/// xls of API.md as an Office Open XML workbook (.xlsx): one sheet "Patents" with a
/// bold, frozen header row of the field codes; dates as real Excel dates (yyyy-mm-dd);
/// other values as inline strings, multi-valued fields joined with ` | `; a cell longer
/// than Excel's 32,767 characters is cut and ends with `XLSXExportWriter.cutMarker`;
/// characters XML forbids are dropped. Rows stream to a temporary file; the ZIP is
/// assembled from it at the end, so memory stays flat for 100,000 rows.
public final class XLSXExportWriter: ExportWriter {
    public static let cellLimit = 32_767
    public static let cutMarker = "…[cut]"
    static let dateFields: Set<String> = ["APD", "PBD", "ISD", "PRIORITY_DATE"]

    private let path: String
    private let rowsPath: String
    private let rows: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages
    private var rowNumber = 1
    /// Longest text per column (for widths), in characters.
    private var longest: [Int]
    /// Per column: its letters, and whether it holds a date.
    private let columnNames: [[UInt8]]
    private let isDate: [Bool]

    init(path: String, fields: [ExportField], languages: ExportLanguages) throws(ExportError) {
        self.path = path
        rowsPath = path + ".rows"
        rows = try FileOutput(path: rowsPath)
        self.fields = fields
        self.languages = languages
        longest = fields.map { $0.code.count }
        columnNames = fields.indices.map { Array(Self.column($0).utf8) }
        isDate = fields.map { Self.dateFields.contains($0.code) }
        var header = "<row r=\"1\">"
        for (column, field) in fields.enumerated() {
            header += "<c r=\"\(Self.column(column))1\" t=\"inlineStr\" s=\"1\"><is><t>\(field.code)</t></is></c>"
        }
        try rows.write(header + "</row>")
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        rowNumber += 1
        let values = record.values(fields, languages: languages)
        let row = rowNumber
        try rows.append { out in
            out.append(literal: "<row r=\"")
            out.append(decimal: row)
            out.append(literal: "\">")
            for (column, value) in values.enumerated() {
                let parts = value.values
                let text = parts.count == 1 ? parts[0] : parts.joined(separator: " | ")
                guard !text.isEmpty else { continue }
                out.append(literal: "<c r=\"")
                out.append(contentsOf: columnNames[column])
                out.append(decimal: row)
                if isDate[column], let serial = Self.excelSerial(text) {
                    out.append(literal: "\" s=\"2\"><v>")
                    out.append(decimal: serial)
                    out.append(literal: "</v></c>")
                    longest[column] = max(longest[column], 10)
                } else {
                    let cell = Self.cut(text)
                    longest[column] = max(longest[column], Self.width(cell, upTo: 60))
                    out.append(literal: "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
                    XMLText.append(cell, escapedTo: &out)
                    out.append(literal: "</t></is></c>")
                }
            }
            out.append(literal: "</row>")
        }
    }

    /// Characters (Unicode scalars) in `text`, counted up to `limit`: a column's width.
    static func width(_ text: String, upTo limit: Int) -> Int {
        var count = 0
        for byte in text.utf8 where byte & 0xC0 != 0x80 {
            count += 1
            if count == limit { break }
        }
        return count
    }

    public func finish() throws(ExportError) {
        try rows.finish()
        defer { try? FileManager.default.removeItem(atPath: rowsPath) }
        let size = (try? FileManager.default.attributesOfItem(atPath: rowsPath)[.size] as? Int) ?? 0
        let zip = try ZipOutput(path: path)
        try zip.add("[Content_Types].xml", Data(Self.contentTypes.utf8))
        try zip.add("_rels/.rels", Data(Self.rootRelationships.utf8))
        try zip.add("xl/workbook.xml", Data(Self.workbook.utf8))
        try zip.add("xl/_rels/workbook.xml.rels", Data(Self.workbookRelationships.utf8))
        try zip.add("xl/styles.xml", Data(Self.styles.utf8))
        let widths = longest.enumerated().map { column, length in
            "<col min=\"\(column + 1)\" max=\"\(column + 1)\" width=\"\(min(62, max(8, length + 2)))\" customWidth=\"1\"/>"
        }.joined()
        let head = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0">\
            <pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
            <sheetFormatPr defaultRowHeight="15"/><cols>\(widths)</cols><sheetData>
            """
        try zip.add("xl/worksheets/sheet1.xml",
                    parts: [.bytes(Data(head.utf8)), .file(rowsPath, size: size), .bytes(Data("</sheetData></worksheet>".utf8))])
        try zip.finish()
    }

    /// `A`, …, `Z`, `AA`, … for a zero-based column.
    static func column(_ index: Int) -> String {
        var index = index
        var name = ""
        repeat {
            name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
            index = index / 26 - 1
        } while index >= 0
        return name
    }

    /// Days since 1899-12-30 (Excel's 1900 date system) of an ISO date `yyyy-MM-dd`.
    static func excelSerial(_ iso: String) -> Int? {
        var parts: [Int] = []
        var value = 0
        var digits = 0
        for byte in iso.utf8 {
            if byte == UInt8(ascii: "-") {
                guard digits > 0 else { return nil }
                parts.append(value)
                (value, digits) = (0, 0)
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && digits < 9 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            } else {
                return nil
            }
        }
        guard digits > 0, parts.count == 2 else { return nil }
        return daysFromCivil(parts[0], parts[1], value) - daysFromCivil(1899, 12, 30)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Text cut to Excel's cell limit (counted in UTF-16 units, as Excel counts) with the marker.
    static func cut(_ text: String) -> String {
        // A UTF-8 text is never shorter in UTF-16 units than in bytes.
        guard text.utf8.count > cellLimit, text.utf16.count > cellLimit else { return text }
        var kept = ""
        var units = 0
        let room = cellLimit - cutMarker.utf16.count
        for character in text {
            let width = character.utf16.count
            if units + width > room { break }
            kept.append(character)
            units += width
        }
        return kept + cutMarker
    }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        </Types>
        """

    static let rootRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

    static let workbook = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
        <sheets><sheet name="Patents" sheetId="1" r:id="rId1"/></sheets></workbook>
        """

    static let workbookRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
        </Relationships>
        """

    /// Style 0 normal, 1 bold (header), 2 date yyyy-mm-dd.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """
}
