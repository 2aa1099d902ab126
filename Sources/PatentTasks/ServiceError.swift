/// An error the API answers with: PatSnap's code, a message and the HTTP status of
/// API.md. Parameter errors always name the parameter.
public struct ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// 200 for the 683… business codes, as PatSnap answers them.
    public let httpStatus: Int

    public init(code: Int, message: String, httpStatus: Int = 200) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { "\(code): \(message)" }

    /// 68300004: a parameter is missing, of the wrong type or out of its range.
    public static func invalidParameter(_ message: String) -> ServiceError { ServiceError(code: 68300004, message: message) }
    /// 68300005: the search could not run.
    public static func searchFailure(_ message: String) -> ServiceError { ServiceError(code: 68300005, message: message) }
    /// 68300007: the body is not JSON or the content type is wrong.
    public static func badRequest(_ message: String) -> ServiceError { ServiceError(code: 68300007, message: message) }
    /// 68300008: a fault on our side; the client may try again later.
    public static func serviceError(_ message: String) -> ServiceError { ServiceError(code: 68300008, message: message) }
}
