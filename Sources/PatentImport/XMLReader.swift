/// PatentImport: readers for the formats patent offices publish, turning files,
/// folders, ZIP and gzip archives into `Patent` records one document at a time.
///
/// This file holds the XML reader the format mappers share: a small non-validating
/// parser that builds one element tree per document. It is ours rather than
/// libxml2 or Foundation's `XMLParser` because office XML names hundreds of ISO
/// entities (`&lsqb;`, `&agr;`, …) declared only in external DTDs that are never
/// shipped with the data; this reader resolves them from a built-in table
/// (`XMLEntities`) and never fetches anything.

/// Parses one UTF-8 XML document into an element tree.
///
/// Entities declared in a document's internal subset are expanded, within limits that
/// stop "billion laughs" and its kin: a declared value may hold at most
/// ``maximumEntityBytes`` once expanded, and all references to declared entities in one
/// document together at most ``maximumExpansionBytes``; beyond either the document is
/// refused as broken XML naming the limit. Built-in ISO entities are single characters
/// and count for nothing.
public struct XMLReader {
    public static let maximumEntityBytes = 64 * 1024
    public static let maximumExpansionBytes = 1 << 20

    private let bytes: [UInt8]
    private var i = 0
    private var entities: [String: String] = [:]
    /// Bytes added so far by references to declared entities.
    private var expanded = 0
    /// Recover mode: what cannot be markup is text, what is left open closes at the end.
    private let recovering: Bool
    private var repairs: [XMLSyntaxError] = []

    private init(bytes: [UInt8], recovering: Bool = false) {
        self.bytes = bytes
        self.recovering = recovering
    }

    /// Parses a complete document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLSyntaxError) -> XMLElement {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
    }

    /// Parses a document as libxml2's recover mode does: a `<` that starts no valid tag,
    /// and an end tag that closes nothing open, are kept as text and skipped
    /// respectively; elements still open at the end are closed; text or markup after
    /// the root is dropped. Each repair is returned with its line and column. What no
    /// repair can mend (no root element at all, entity limits) still throws.
    public static func parseRecovering(_ bytes: [UInt8]) throws(XMLSyntaxError) -> (root: XMLElement, repairs: [XMLSyntaxError]) {
        var reader = XMLReader(bytes: bytes, recovering: true)
        let root = try reader.document()
        return (root, reader.repairs)
    }

    /// In recover mode, notes a repair and returns; otherwise throws the error.
    private mutating func repair(_ message: String, at position: Int? = nil) throws(XMLSyntaxError) {
        let saved = i
        if let position { i = position }
        let problem = error(message)
        i = saved
        guard recovering else { throw problem }
        repairs.append(problem)
    }

    public static func parse(_ text: String) throws(XMLSyntaxError) -> XMLElement {
        try parse(Array(text.utf8))
    }

    private mutating func document() throws(XMLSyntaxError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        try prolog()
        guard i < bytes.count else { throw error("no root element") }
        let root = try element()
        try misc()
        if i < bytes.count {
            try repair("content after the root element")
            i = bytes.count
        }
        return root
    }

    // MARK: prolog and markup that carries no content

    private mutating func prolog() throws(XMLSyntaxError) {
        while true {
            skipWhitespace()
            if starts("<?") { try skipPast("?>") }
            else if starts("<!--") { try skipPast("-->") }
            else if starts("<!DOCTYPE") { try doctype() }
            else { return }
        }
    }

    private mutating func misc() throws(XMLSyntaxError) {
        while true {
            skipWhitespace()
            if starts("<?") { try skipPast("?>") }
            else if starts("<!--") { try skipPast("-->") }
            else { return }
        }
    }

    /// Skips the DOCTYPE, reading general entities declared in its internal subset.
    private mutating func doctype() throws(XMLSyntaxError) {
        i += 9
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: ">") { i += 1; return }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { try skipQuoted(); continue }
            if b == UInt8(ascii: "[") { i += 1; try internalSubset(); continue }
            i += 1
        }
        throw error("unterminated DOCTYPE")
    }

    private mutating func internalSubset() throws(XMLSyntaxError) {
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "]") { i += 1; return }
            if starts("<!--") { try skipPast("-->"); continue }
            if starts("<!ENTITY") { try entityDeclaration(); continue }
            if starts("<") {
                while i < bytes.count && bytes[i] != UInt8(ascii: ">") {
                    if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") { try skipQuoted() } else { i += 1 }
                }
                i += 1
                continue
            }
            i += 1
        }
        throw error("unterminated DOCTYPE internal subset")
    }

    private mutating func entityDeclaration() throws(XMLSyntaxError) {
        i += 8
        skipWhitespace()
        let isParameter = i < bytes.count && bytes[i] == UInt8(ascii: "%")
        if isParameter { i += 1; skipWhitespace() }
        let name = readName()
        skipWhitespace()
        var value: String?
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
            let quote = bytes[i]
            let start = i + 1
            try skipQuoted()
            value = try decode(start, i - 1, quote: quote)
        }
        while i < bytes.count && bytes[i] != UInt8(ascii: ">") {
            if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") { try skipQuoted() } else { i += 1 }
        }
        i += 1
        if !isParameter, let value, !name.isEmpty {
            guard value.utf8.count <= Self.maximumEntityBytes else {
                throw error("entity '\(name)' expands beyond \(Self.maximumEntityBytes) bytes")
            }
            entities[name] = value
        }
    }

    // MARK: elements

    private mutating func element() throws(XMLSyntaxError) -> XMLElement {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw error("expected '<'") }
        var stack: [XMLElement] = []
        var root: XMLElement?
        var textStart = -1
        while i < bytes.count {
            let b = bytes[i]
            if b != UInt8(ascii: "<") {
                if textStart < 0 { textStart = i }
                i += 1
                continue
            }
            if textStart >= 0 {
                if let top = stack.last {
                    top.append(.text(try decode(textStart, i, quote: nil)))
                } else if !isWhitespace(textStart, i) {
                    try repair("text outside the root element", at: textStart)
                }
                textStart = -1
            }
            if starts("</") {
                i += 2
                let nameStart = i
                let name = readName()
                let local = localName(name)
                // SGML-derived USPTO data leaves EMPTY elements unclosed
                // (`<CITED-BY-EXAMINER>`): an end tag that matches an element further
                // down the stack closes the elements opened since. An end tag that
                // matches nothing open is an error.
                guard let match = stack.lastIndex(where: { $0.name == local }) else {
                    try repair(stack.last.map { "end tag '\(name)' does not match '\($0.name)'" } ?? "unexpected end tag '\(name)'",
                               at: nameStart)
                    // Recovering: the stray end tag is skipped.
                    while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
                    i += 1
                    continue
                }
                let open = stack[match]
                stack.removeSubrange(match...)
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw error("expected '>'") }
                i += 1
                if stack.isEmpty { return open }
            } else if starts("<!--") {
                try skipPast("-->")
            } else if starts("<![CDATA[") {
                i += 9
                let start = i
                try skipPast("]]>")
                guard let top = stack.last else { throw error("CDATA outside the root element") }
                top.append(.text(String(decoding: bytes[start..<(i - 3)], as: UTF8.self)))
            } else if starts("<?") {
                try skipPast("?>")
            } else if starts("<!") {
                try repair("unexpected markup declaration")
                textStart = i
                i += 1
            } else {
                let tagStart = i
                i += 1
                let name = readName()
                let attributes: [(name: String, value: String)]
                do throws(XMLSyntaxError) {
                    guard !name.isEmpty else { throw error("expected an element name") }
                    attributes = try readAttributes()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") || starts("/>") else {
                        throw error("expected '>' or '/>' in tag '\(name)'")
                    }
                } catch {
                    // Recovering: a '<' that starts no tag is text (`<heading><First Embodiment</heading>`).
                    guard recovering, stack.last != nil else { throw error }
                    try repair("\(error.message); '<' kept as text", at: tagStart)
                    textStart = tagStart
                    i = tagStart + 1
                    continue
                }
                let element = XMLElement(name: localName(name), attributes: attributes)
                if let top = stack.last { top.append(.element(element)) } else if root == nil { root = element }
                if starts("/>") {
                    i += 2
                    if stack.isEmpty { return element }
                } else {
                    i += 1
                    stack.append(element)
                }
            }
        }
        guard recovering, let root = stack.first else {
            throw error(stack.last.map { "unexpected end of document inside '\($0.name)'" } ?? "unexpected end of document")
        }
        if textStart >= 0, let top = stack.last { top.append(.text(try decode(textStart, i, quote: nil))) }
        try repair("unexpected end of document inside '\(stack.last!.name)': \(stack.map(\.name).reversed().joined(separator: ", ")) closed")
        return root
    }

    private mutating func readAttributes() throws(XMLSyntaxError) -> [(name: String, value: String)] {
        var attributes: [(name: String, value: String)] = []
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end of document in a tag") }
            let b = bytes[i]
            if b == UInt8(ascii: ">") || b == UInt8(ascii: "/") { return attributes }
            let name = readName()
            guard !name.isEmpty else { throw error("invalid character in a tag") }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw error("expected '=' after attribute '\(name)'") }
            i += 1
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                throw error("expected a quoted value for attribute '\(name)'")
            }
            let quote = bytes[i]
            let start = i + 1
            try skipQuoted()
            attributes.append((localName(name), try decode(start, i - 1, quote: quote)))
        }
    }

    // MARK: text and entities

    /// Decodes bytes[start..<end], resolving character and entity references.
    private mutating func decode(_ start: Int, _ end: Int, quote: UInt8?) throws(XMLSyntaxError) -> String {
        var hasReference = false
        for k in start..<end where bytes[k] == UInt8(ascii: "&") { hasReference = true; break }
        if !hasReference { return String(decoding: bytes[start..<end], as: UTF8.self) }
        var out = ""
        var runStart = start
        var k = start
        while k < end {
            guard bytes[k] == UInt8(ascii: "&") else { k += 1; continue }
            out += String(decoding: bytes[runStart..<k], as: UTF8.self)
            var semicolon = k + 1
            while semicolon < end, semicolon - k < 40, bytes[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
            guard semicolon < end, bytes[semicolon] == UInt8(ascii: ";") else {
                // A bare '&' is tolerated and kept: offices' XML has them.
                out += "&"
                k += 1
                runStart = k
                continue
            }
            let name = String(decoding: bytes[(k + 1)..<semicolon], as: UTF8.self)
            if let declared = entities[name] {
                expanded += declared.utf8.count
                guard expanded <= Self.maximumExpansionBytes else {
                    throw error("references to declared entities expand beyond \(Self.maximumExpansionBytes) bytes")
                }
            }
            out += resolve(name)
            k = semicolon + 1
            runStart = k
        }
        out += String(decoding: bytes[runStart..<end], as: UTF8.self)
        return out
    }

    private func resolve(_ name: String) -> String {
        if name.hasPrefix("#") {
            let isHex = name.hasPrefix("#x") || name.hasPrefix("#X")
            let digits = name.dropFirst(isHex ? 2 : 1)
            if let value = UInt32(digits, radix: isHex ? 16 : 10), let scalar = Unicode.Scalar(value) {
                return String(Character(scalar))
            }
            return "\u{FFFD}"
        }
        if let value = entities[name] { return value }
        if let value = XMLEntities.table[name] { return value }
        // An entity nobody declared: keep the reference as written, losing nothing.
        return "&\(name);"
    }

    // MARK: scanning helpers

    private func starts(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for k in 0..<count where bytes[i + k] != buffer[k] { return false }
            return true
        }
    }

    private mutating func skipPast(_ literal: StaticString) throws(XMLSyntaxError) {
        let start = i
        while i < bytes.count {
            if starts(literal) { i += literal.utf8CodeUnitCount; return }
            i += 1
        }
        i = start
        throw error("unterminated '\(literal)' construct")
    }

    private mutating func skipQuoted() throws(XMLSyntaxError) {
        let quote = bytes[i]
        let start = i
        i += 1
        while i < bytes.count, bytes[i] != quote { i += 1 }
        guard i < bytes.count else { i = start; throw error("unterminated quoted value") }
        i += 1
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func isWhitespace(_ start: Int, _ end: Int) -> Bool {
        for k in start..<end where !(bytes[k] == 0x20 || bytes[k] == 0x0A || bytes[k] == 0x0D || bytes[k] == 0x09) {
            return false
        }
        return true
    }

    private mutating func readName() -> String {
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == UInt8(ascii: ">") || b == UInt8(ascii: "/")
                || b == UInt8(ascii: "=") || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                break
            }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private func localName(_ name: String) -> String {
        guard name.utf8.contains(UInt8(ascii: ":")), let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    private func error(_ message: String) -> XMLSyntaxError {
        var line = 1
        var column = 1
        for k in 0..<min(i, bytes.count) {
            if bytes[k] == 0x0A { line += 1; column = 1 } else if bytes[k] & 0xC0 != 0x80 { column += 1 }
        }
        return XMLSyntaxError(message: message, line: line, column: column)
    }
}
