/// Text for XML 1.0 documents.
public enum XMLText {
    /// Escapes `& < > " '` and drops the characters XML 1.0 does not allow (controls other
    /// than tab, LF, CR; U+FFFE, U+FFFF).
    public static func escaped(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        append(text, escapedTo: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same appended to UTF-8 bytes: runs of bytes that need nothing are copied whole
    /// (what the export writers use).
    public static func append(_ text: String, escapedTo out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                let replacement: StaticString?
                var width = 1
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&apos;"
                case 0x9, 0xA, 0xD: i += 1; continue
                case 0..<0x20: replacement = ""
                case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && bytes[i + 2] >= 0xBE:
                    replacement = ""  // U+FFFE, U+FFFF
                    width = 3
                default: i += 1; continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                if let replacement { replacement.withUTF8Buffer { out.append(contentsOf: $0) } }
                i += width
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
    }
}
