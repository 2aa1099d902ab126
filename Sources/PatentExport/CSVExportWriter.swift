import PatentQuery

/// CSV of API.md: UTF-8 with a byte-order mark, RFC 4180 (CRLF line ends; a value
/// holding a comma, quote, CR or LF is quoted with quotes doubled), a header row of the
/// requested field codes, multi-valued fields joined with ` | `.
///
/// Patent text comes from third parties, and a spreadsheet evaluates a cell that starts
/// with `=`, `+`, `-` or `@` (also TAB, CR and the full-width `＝＋－＠`) as a formula:
/// such a cell gets a leading `'`, as OWASP advises against CSV injection, and is
/// otherwise written as it is. xlsx needs none of this: its cells are inline strings.
public final class CSVExportWriter: ExportWriter {
    public static let separator = " | "
    private let output: FileOutput
    private let fields: [ExportField]
    private let languages: ExportLanguages

    init(output: FileOutput, fields: [ExportField], languages: ExportLanguages) throws(ExportError) {
        self.output = output
        self.fields = fields
        self.languages = languages
        try output.write([0xEF, 0xBB, 0xBF])
        try writeRow(fields.map(\.code))
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        try writeRow(record.values(fields, languages: languages).map { Self.neutralised($0.values.joined(separator: Self.separator)) })
    }

    private static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]

    /// A cell a spreadsheet would run as a formula, prefixed with `'`.
    static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, formulaStarts.contains(Character(first)) else { return cell }
        return "'" + cell
    }

    public func finish() throws(ExportError) { try output.finish() }

    private func writeRow(_ cells: [String]) throws(ExportError) {
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { line += "," }
            line += Self.quoted(cell)
        }
        line += "\r\n"
        try output.write(line)
    }

    /// A cell as RFC 4180 writes it.
    static func quoted(_ cell: String) -> String {
        guard cell.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else {
            return cell
        }
        var out = "\""
        for character in cell {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }
}
