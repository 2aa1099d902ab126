/// Text appended to an export file's UTF-8 bytes as each format writes it: runs that need
/// no escaping are copied whole, so a writer never builds an intermediate `String` per row.
extension Array where Element == UInt8 {
    /// A string's UTF-8 as it is.
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Fixed markup.
    mutating func append(literal text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// A decimal number.
    mutating func append(decimal value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt = 10
        while digits < 20, magnitude >= scale {
            digits += 1
            scale = scale.multipliedReportingOverflow(by: 10).overflow ? UInt.max : scale * 10
        }
        let end = count + digits
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var at = end - 1
        repeat {
            self[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            at -= 1
        } while magnitude > 0
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    mutating func append(jsonString text: String) {
        append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                run = i + 1
                switch byte {
                case UInt8(ascii: "\""): append(literal: "\\\"")
                case UInt8(ascii: "\\"): append(literal: "\\\\")
                case 0x0A: append(literal: "\\n")
                case 0x0D: append(literal: "\\r")
                case 0x09: append(literal: "\\t")
                default:
                    // `\u00XX`, lower-case hex; `byte >> 4` is 0 or 1 here.
                    let low = byte & 0xF
                    append(literal: "\\u00")
                    append(UInt8(ascii: "0") + (byte >> 4))
                    append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
                }
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
        append(UInt8(ascii: "\""))
    }
}
