import Foundation
import PatentAccounts
import PatentModel

/// The parameters of one JSON request body with typed readers whose errors name the
/// parameter (68300004). `null` counts as absent, and so does `""` for an optional
/// parameter (API.md "Changes"); keys the API does not know are ignored, as PatSnap does.
/// Numbers are compared, never added or converted in a way that could trap: a value far
/// out of range is refused with the literal the client sent.
struct RequestParameters {
    private let values: [String: JSONValue]

    /// `name` is how errors call the object: the body, or `sort[0]` inside it.
    init(_ body: JSONValue, name: String = "the request body") throws(ServiceError) {
        guard case .object(let values) = body else {
            throw ServiceError.invalidParameter("\(name) must be a JSON object, not \(body.typeName)")
        }
        self.values = values
    }

    private func value(_ name: String, required: Bool) throws(ServiceError) -> JSONValue? {
        guard let value = values[name], value != .null, required || value != .string("") else {
            if required { throw ServiceError.invalidParameter("\(name) is required") }
            return nil
        }
        return value
    }

    func string(_ name: String, required: Bool = false) throws(ServiceError) -> String? {
        guard let value = try value(name, required: required) else { return nil }
        guard case .string(let text) = value else {
            throw ServiceError.invalidParameter("\(name) must be a string, not \(value.typeName)")
        }
        return text
    }

    /// A whole number. `10.0` is 10; a fraction, an exponent that leaves a fraction or a
    /// number beyond ±10¹⁵ is refused quoting what was sent.
    func integer(_ name: String, required: Bool = false) throws(ServiceError) -> Int? {
        guard let value = try value(name, required: required) else { return nil }
        switch value {
        case .integer(let number): return number
        case .number(let text):
            if let number = Double(text), number == number.rounded(), abs(number) < 1e15 { return Int(number) }
            throw ServiceError.invalidParameter("\(name) must be an integer, not \(Self.quoted(text))")
        default: throw ServiceError.invalidParameter("\(name) must be an integer, not \(value.typeName)")
        }
    }

    /// `offset`: 0 or more, default 0, and with `rows` at most `window`.
    func offset(rows: Int, rowsName: String, window: Int) throws(ServiceError) -> Int {
        let offset = try integer("offset") ?? 0
        guard offset >= 0 else { throw ServiceError.invalidParameter("offset must be 0 or more, not \(offset)") }
        // `rows` is already within 1…window; comparing against `window - rows` cannot
        // overflow whatever `offset` the client sent.
        guard offset <= window - rows else {
            let (sum, overflow) = offset.addingReportingOverflow(rows)
            let total = overflow ? "\(offset) + \(rows)" : String(sum)
            throw ServiceError.invalidParameter("\(rowsName) must be at most \(window), not \(total)")
        }
        return offset
    }

    /// A client's literal in an error message, cut to 40 characters.
    static func quoted(_ text: String) -> String {
        text.count <= 40 ? text : "\(text.prefix(40))… (\(text.count) characters)"
    }

    /// A value from a fixed list, compared without regard to case; returns the list's spelling.
    func choice(_ key: String, _ allowed: [String], name: String? = nil, required: Bool = false) throws(ServiceError) -> String? {
        let name = name ?? key
        guard let value = values[key], value != .null, required || value != .string("") else {
            if required { throw ServiceError.invalidParameter("\(name) is required") }
            return nil
        }
        guard case .string(let text) = value else {
            throw ServiceError.invalidParameter("\(name) must be a string, not \(value.typeName)")
        }
        guard let match = allowed.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
            throw ServiceError.invalidParameter("\(name) must be one of \(allowed.joined(separator: ", ")), not '\(Self.quoted(text))'")
        }
        return match
    }

    /// `yyyyMMdd` or `*` (nil: no bound). The reference's examples write the date as a
    /// bare number, so an 8-digit integer is accepted too.
    func date(_ name: String) throws(ServiceError) -> Int? {
        guard let value = try value(name, required: false) else { return nil }
        let text: String
        switch value {
        case .string(let string): text = string.trimmingCharacters(in: .whitespaces)
        case .integer(let number): text = String(number)
        default: throw ServiceError.invalidParameter("\(name) must be a date 'yyyyMMdd' or '*', not \(value.typeName)")
        }
        if text == "*" || text.isEmpty { return nil }
        guard text.count == 8, text.allSatisfy(\.isASCIIDigit), let date = PatentDate(text) else {
            throw ServiceError.invalidParameter("\(name) must be a date 'yyyyMMdd' or '*', not '\(Self.quoted(text))'")
        }
        return date.value
    }

    /// An array of strings; a comma-separated string is accepted as well.
    func strings(_ name: String) throws(ServiceError) -> [String]? {
        guard let value = try value(name, required: false) else { return nil }
        switch value {
        case .string(let text):
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .array(let items):
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw ServiceError.invalidParameter("\(name)[\(index)] must be a string, not \(item.typeName)")
                }
                out.append(text.trimmingCharacters(in: .whitespaces))
            }
            return out
        default:
            throw ServiceError.invalidParameter("\(name) must be an array of strings, not \(value.typeName)")
        }
    }

    /// An optional value as sent, nil when absent, `null` or `""`.
    func raw(_ name: String) -> JSONValue? { values[name] == .null || values[name] == .string("") ? nil : values[name] }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
