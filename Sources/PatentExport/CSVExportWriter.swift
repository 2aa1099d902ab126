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
        try writeRow(fields.map { .single($0.code) })
    }

    public func write(_ record: ExportRecord) throws(ExportError) {
        try writeRow(record.values(fields, languages: languages))
    }

    public var fileDigest: FileDigest? { output.digest }

    public func finish() throws(ExportError) { try output.finish() }

    private func writeRow(_ cells: [ExportValue]) throws(ExportError) {
        try output.append { out in
            for (index, value) in cells.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.append(cell: value, to: &out)
            }
            out.append(literal: "\r\n")
        }
    }

    /// One cell: the values joined by `separator`, neutralised (`'` first) when it would
    /// start a formula, quoted when RFC 4180 needs it. Written in place; only a cell that
    /// needs either is copied and written again.
    static func append(cell value: ExportValue, to out: inout [UInt8]) {
        let start = out.count
        switch value {
        case .single(let text): if let text { out.append(utf8: text) }
        case .list(let values):
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(literal: " | ") }
                out.append(utf8: value)
            }
        }
        let formula = startsAsFormula(out[start...])
        let quoted = out[start...].contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard formula || quoted else { return }
        let cell = Array(out[start...])
        out.removeSubrange(start...)
        if quoted { out.append(UInt8(ascii: "\"")) }
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in cell {
            out.append(byte)
            if quoted && byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        if quoted { out.append(UInt8(ascii: "\"")) }
    }

    /// Whether UTF-8 text starts with `= + - @`, TAB, CR or the full-width `＝＋－＠`
    /// (U+FF1D, U+FF0B, U+FF0D, U+FF20).
    static func startsAsFormula(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case 0xEF:
            let i = bytes.startIndex
            guard bytes.count >= 3, bytes[i + 1] == 0xBC else { return false }
            return [0x9D, 0x8B, 0x8D, 0xA0].contains(bytes[i + 2])
        default: return false
        }
    }
}
