import Foundation

/// What S3's small XML answers say — a ListObjectsV2 page, an upload id, an error's code and
/// message. Those documents are flat elements with text content, so they are read by
/// element name; the five predefined entities and numeric references are decoded.
struct S3Listing {
    var objects: [(key: String, size: Int)] = []
    var truncated = false
    var nextToken: String?

    init(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        for contents in Self.elements("Contents", in: text) {
            guard let key = Self.elements("Key", in: contents).first else { continue }
            objects.append((Self.decode(key), Int(Self.elements("Size", in: contents).first ?? "") ?? 0))
        }
        truncated = Self.elements("IsTruncated", in: text).first == "true"
        nextToken = Self.elements("NextContinuationToken", in: text).first.map(Self.decode)
    }

    /// The text of the first element `name` in `body`, decoded.
    static func value(of name: String, in body: [UInt8]) -> String? {
        elements(name, in: String(decoding: body, as: UTF8.self)).first.map(decode)
    }

    /// The raw contents of every `<name>…</name>` in `text` (not nested in one another).
    static func elements(_ name: String, in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        let open = "<\(name)>", close = "</\(name)>"
        while let start = rest.range(of: open), let end = rest.range(of: close, range: start.upperBound..<rest.endIndex) {
            found.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// XML character references and the predefined entities.
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16)
                    : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let scalar = number.flatMap(Unicode.Scalar.init) { out.unicodeScalars.append(scalar) } else { out += "&\(entity);" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
