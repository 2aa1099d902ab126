import PatentAccounts
/// PatentTasks: export tasks from request to file — the API's parameter rules, the
/// durable task table, the background writers, signed downloads and PatSnap's error
/// codes. HTTP is a thin layer over it; so is `patents export`.

/// A JSON document as the client sent it, so that parameter rules can tell a string
/// from a number from a missing key and name the culprit precisely.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number, exactly as the client wrote it (`1.5`, `1e400`, 400 digits), so
    /// that a refusal can quote it and nothing is rounded or overflows on the way.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Arrays and objects nest at most this deep in a request body (the API's bodies
    /// need 3 levels); deeper is refused before anything is built.
    public static let maximumDepth = 32

    /// Parses a request body in one pass (RFC 8259, a leading UTF-8 byte order mark
    /// allowed). Malformed JSON, invalid UTF-8 and nesting beyond ``maximumDepth`` are
    /// 68300007 with the byte offset; a key given twice in one object is 68300004
    /// naming it, since which of the two was meant cannot be known.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ServiceError) -> JSONValue {
        var parser = JSONParser(Array(bytes))
        return try parser.document()
    }

    /// The type's name as error messages give it.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// The recursive-descent reader behind ``JSONValue/parse(_:)``: every byte is looked at
/// once, recursion is bounded by ``JSONValue/maximumDepth``.
private struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func document() throws(ServiceError) -> JSONValue {
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw malformed("unexpected \(describe(bytes[index])) after the document") }
        return value
    }

    private func malformed(_ reason: String) -> ServiceError {
        ServiceError.badRequest("request body is not valid JSON: \(reason) at byte \(index)")
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(depth: Int) throws(ServiceError) -> JSONValue {
        guard index < bytes.count else { throw malformed("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case let byte: throw malformed("unexpected \(describe(byte))")
        }
    }

    private mutating func enter(_ depth: Int) throws(ServiceError) {
        guard depth <= JSONValue.maximumDepth else {
            throw ServiceError.badRequest("request body nests arrays and objects deeper than \(JSONValue.maximumDepth) levels (at byte \(index))")
        }
        index += 1
        skipWhitespace()
    }

    private mutating func object(depth: Int) throws(ServiceError) -> JSONValue {
        try enter(depth)
        var members: [String: JSONValue] = [:]
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw malformed("expected a quoted key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let member = try value(depth: depth)
            guard members.updateValue(member, forKey: key) == nil else {
                throw ServiceError.invalidParameter("the request body gives '\(key)' more than once")
            }
            skipWhitespace()
            if try closes(UInt8(ascii: "}")) { return .object(members) }
        }
    }

    private mutating func array(depth: Int) throws(ServiceError) -> JSONValue {
        try enter(depth)
        var items: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth))
            skipWhitespace()
            if try closes(UInt8(ascii: "]")) { return .array(items) }
        }
    }

    /// After a member or item: `,` (false, more follow) or the closing bracket (true).
    private mutating func closes(_ bracket: UInt8) throws(ServiceError) -> Bool {
        guard index < bytes.count else { throw malformed("unexpected end") }
        if bytes[index] == bracket {
            index += 1
            return true
        }
        try expect(UInt8(ascii: ","))
        skipWhitespace()
        return false
    }

    private mutating func expect(_ byte: UInt8) throws(ServiceError) {
        guard index < bytes.count, bytes[index] == byte else {
            throw malformed(index < bytes.count ? "expected '\(Character(Unicode.Scalar(byte)))', not \(describe(bytes[index]))"
                                                : "unexpected end")
        }
        index += 1
    }

    private mutating func literal(_ word: String) throws(ServiceError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, bytes[index..<(index + expected.count)].elementsEqual(expected) else {
            throw malformed("unexpected \(describe(bytes[index]))")
        }
        index += expected.count
    }

    private mutating func number() throws(ServiceError) -> JSONValue {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let first = parser.index
            while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw malformed("a number needs digits") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw malformed("a number cannot start with 0") }
        var whole = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            whole = false
            guard digits(&self) > 0 else { throw malformed("a fraction needs digits") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            whole = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw malformed("an exponent needs digits") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if whole, let integer = Int(text) { return .integer(integer) }
        return .number(text)
    }

    private mutating func string() throws(ServiceError) -> String {
        let start = index
        index += 1
        var out: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else {
                index = start
                throw malformed("unterminated string")
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw malformed("a control character must be escaped in a string") }
            if byte == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                try escape(into: &out)
                runStart = index
            } else {
                index += 1
            }
        }
        out.append(contentsOf: bytes[runStart..<index])
        index += 1
        guard let text = String(validating: out, as: UTF8.self) else {
            index = start
            throw ServiceError.badRequest("request body is not valid UTF-8: the string at byte \(start) holds invalid bytes")
        }
        return text
    }

    /// One escape sequence after a backslash, UTF-8 encoded into `out`.
    private mutating func escape(into out: inout [UInt8]) throws(ServiceError) {
        index += 1
        guard index < bytes.count else { throw malformed("unterminated string") }
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
        if let replacement = simple[bytes[index]] {
            out.append(replacement)
            index += 1
            return
        }
        guard bytes[index] == UInt8(ascii: "u") else { throw malformed("unknown escape \\\(describe(bytes[index]))") }
        var scalar = try hexQuad()
        if (0xD800..<0xDC00).contains(scalar) {
            guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw malformed("a high surrogate must be followed by a low one")
            }
            index += 1
            let low = try hexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw malformed("a high surrogate must be followed by a low one") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw malformed("a lone low surrogate") }
        out.append(contentsOf: String(Character(unicode)).utf8)
    }

    /// `uXXXX` with `index` on the `u`; leaves `index` after the four digits.
    private mutating func hexQuad() throws(ServiceError) -> UInt32 {
        index += 1
        guard bytes.count - index >= 4 else { throw malformed("\\u needs four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw malformed("\\u needs four hex digits") }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }
}
