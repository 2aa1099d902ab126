/// The element tree `XMLReader` builds, its syntax errors, and text whitespace rules.

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
