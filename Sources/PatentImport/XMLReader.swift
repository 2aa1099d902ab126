/// PatentImport: readers for the formats patent offices publish, turning files,
/// folders, ZIP and gzip archives into `Patent` records one document at a time.
///
/// This file holds the XML reader the format mappers share: a small non-validating
/// parser that builds one element tree per document. It is ours rather than
/// libxml2 or Foundation's `XMLParser` because office XML names hundreds of ISO
/// entities (`&lsqb;`, `&agr;`, …) declared only in external DTDs that are never
/// shipped with the data; this reader resolves them from a built-in table
/// (`XMLEntities`) and never fetches anything.

/// An element of a parsed document. Element and attribute names are local names
/// (namespace prefixes removed: `exch:exchange-document` → `exchange-document`).
public final class XMLElement {
    public let name: String
    public private(set) var attributes: [(name: String, value: String)]
    public private(set) var children: [XMLNode] = []

    init(name: String, attributes: [(name: String, value: String)]) {
        self.name = name
        self.attributes = attributes
    }

    func append(_ node: XMLNode) { children.append(node) }

    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Child elements in document order.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    public func child(_ name: String) -> XMLElement? {
        for case .element(let e) in children where e.name == name { return e }
        return nil
    }

    public func children(_ name: String) -> [XMLElement] {
        children.compactMap { if case .element(let e) = $0, e.name == name { e } else { nil } }
    }

    /// The first element at a slash-separated path of child names (`a/b/c`).
    public func first(_ path: String) -> XMLElement? {
        var current = self
        for step in path.utf8.split(separator: UInt8(ascii: "/")) {
            guard let next = current.child(named: step) else { return nil }
            current = next
        }
        return current
    }

    /// Every element at a slash-separated path of child names.
    public func all(_ path: String) -> [XMLElement] {
        var current: [XMLElement] = [self]
        for step in path.utf8.split(separator: UInt8(ascii: "/")) {
            var next: [XMLElement] = []
            for element in current {
                for case .element(let e) in element.children where e.name.utf8.elementsEqual(step) { next.append(e) }
            }
            current = next
        }
        return current
    }

    /// Paths are compared as UTF-8 bytes, without making a String per step.
    private func child(named step: Substring.UTF8View) -> XMLElement? {
        for case .element(let e) in children where e.name.utf8.elementsEqual(step) { return e }
        return nil
    }

    /// Every descendant element with the name, in document order, not descending into matches.
    public func descendants(_ name: String) -> [XMLElement] {
        var found: [XMLElement] = []
        collect(name, into: &found)
        return found
    }

    private func collect(_ name: String, into found: inout [XMLElement]) {
        for case .element(let e) in children {
            if e.name == name { found.append(e) } else { e.collect(name, into: &found) }
        }
    }

    /// The text content with whitespace runs collapsed to one space and trimmed.
    /// `<br/>` counts as whitespace.
    public var text: String { XMLText.collapse(rawText) }

    /// The text content exactly as in the document (entities resolved).
    public var rawText: String {
        var out = ""
        appendText(to: &out)
        return out
    }

    func appendText(to out: inout String) {
        for child in children {
            switch child {
            case .text(let t): out += t
            case .element(let e):
                if e.name == "br" { out += " " } else { e.appendText(to: &out) }
            }
        }
    }
}

public enum XMLNode {
    case element(XMLElement)
    case text(String)
}

/// A malformed document: what is wrong and where (1-based line and column).
public struct XMLSyntaxError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public var description: String { "broken XML at line \(line), column \(column): \(message)" }
}

enum XMLText {
    /// Collapses runs of whitespace (ASCII and Unicode spaces and line breaks) to one
    /// space and trims both ends. Works on UTF-8 bytes; text is mostly ASCII.
    static func collapse(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            var i = 0
            let count = bytes.count
            while i < count {
                let b = bytes[i]
                if b > 0x20 && b < 0x80 {
                    // A run of visible ASCII is copied in one go.
                    var end = i + 1
                    while end < count, bytes[end] > 0x20, bytes[end] < 0x80 { end += 1 }
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
                    i = end
                    continue
                }
                let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                if isSpace(bytes, i, b) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    let end = min(i + length, count)
                    for k in i..<end { out.append(bytes[k]) }
                }
                i += length
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// U+0009–000D, U+0020, U+0085, U+00A0, U+1680, U+2000–200A, U+2028, U+2029,
    /// U+202F, U+205F, U+3000: the Unicode White_Space set.
    @inline(__always)
    private static func isSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ b: UInt8) -> Bool {
        if b < 0x80 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        if b == 0xC2, i + 1 < bytes.count { return bytes[i + 1] == 0x85 || bytes[i + 1] == 0xA0 }
        if b == 0xE1, i + 2 < bytes.count { return bytes[i + 1] == 0x9A && bytes[i + 2] == 0x80 }
        if b == 0xE2, i + 2 < bytes.count {
            let b1 = bytes[i + 1], b2 = bytes[i + 2]
            if b1 == 0x80 { return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF }
            return b1 == 0x81 && b2 == 0x9F
        }
        if b == 0xE3, i + 2 < bytes.count { return bytes[i + 1] == 0x80 && bytes[i + 2] == 0x80 }
        return false
    }
}

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

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a complete document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLSyntaxError) -> XMLElement {
        var reader = XMLReader(bytes: bytes)
        return try reader.document()
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
        if i < bytes.count { throw error("content after the root element") }
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
                    throw error("text outside the root element")
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
                    i = nameStart
                    throw error(stack.last.map { "end tag '\(name)' does not match '\($0.name)'" } ?? "unexpected end tag '\(name)'")
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
                throw error("unexpected markup declaration")
            } else {
                i += 1
                let name = readName()
                guard !name.isEmpty else { throw error("expected an element name") }
                let attributes = try readAttributes()
                let element = XMLElement(name: localName(name), attributes: attributes)
                if let top = stack.last { top.append(.element(element)) } else if root == nil { root = element }
                if starts("/>") {
                    i += 2
                    if stack.isEmpty { return element }
                } else if i < bytes.count, bytes[i] == UInt8(ascii: ">") {
                    i += 1
                    stack.append(element)
                } else {
                    throw error("expected '>' or '/>' in tag '\(name)'")
                }
            }
        }
        throw error(stack.last.map { "unexpected end of document inside '\($0.name)'" } ?? "unexpected end of document")
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
