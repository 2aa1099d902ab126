/// PatentTasks: export tasks from request to file — the API's parameter rules, the
/// durable task table, the background writers, signed downloads and PatSnap's error
/// codes. HTTP is a thin layer over it; so is `patents export`.
import Foundation

/// A JSON document as the client sent it, so that parameter rules can tell a string
/// from a number from a missing key and name the culprit precisely.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body. Anything that is not JSON is a 68300007.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ServiceError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw ServiceError.badRequest("request body is not valid JSON")
        }
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
