/// An error the API answers with: PatSnap's code, a message and the HTTP status of
/// API.md. Parameter errors always name the parameter.
public struct ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// 200 for the 683… business codes, as PatSnap answers them; 401/402/403/429 for the
    /// 672… platform codes.
    public let httpStatus: Int
    /// Seconds until a refused call may succeed (the `Retry-After` of a 429).
    public let retryAfter: Int?

    public init(code: Int, message: String, httpStatus: Int = 200, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }

    // MARK: business errors (HTTP 200)

    /// 68300004: a parameter is missing, of the wrong type or out of its range.
    public static func invalidParameter(_ message: String) -> ServiceError { ServiceError(code: 68300004, message: message) }
    /// 68300005: the search could not run.
    public static func searchFailure(_ message: String) -> ServiceError { ServiceError(code: 68300005, message: message) }
    /// 68300007: the body is not JSON or the content type is wrong.
    public static func badRequest(_ message: String) -> ServiceError { ServiceError(code: 68300007, message: message) }
    /// 68300008: a fault on our side; the client may try again later.
    public static func serviceError(_ message: String) -> ServiceError { ServiceError(code: 68300008, message: message) }

    // MARK: platform errors

    /// 67200001 (429): the platform as a whole is at its call limit.
    public static func platformLimit(retryAfter: Int) -> ServiceError {
        ServiceError(code: 67200001, message: "API call exceeds the total limit set by the platform, retry after \(retryAfter) s",
                     httpStatus: 429, retryAfter: retryAfter)
    }
    /// 67200002 (429): the client's export quota for the day or month is used up.
    public static func quotaExceeded(_ message: String) -> ServiceError {
        ServiceError(code: 67200002, message: message, httpStatus: 429)
    }
    /// 67200003 (401): missing, unknown, expired, revoked or mismatched credentials. One
    /// message for all, so that a caller never learns whether a client id exists.
    public static func authentication(
        _ message: String = "access token expired or authentication error") -> ServiceError {
        ServiceError(code: 67200003, message: message, httpStatus: 401)
    }
    /// 67200004 (403): an API or field level outside the client's package.
    public static func noPermission(_ message: String) -> ServiceError {
        ServiceError(code: 67200004, message: message, httpStatus: 403)
    }
    /// 67200005 (402).
    public static func insufficientBalance(_ message: String) -> ServiceError {
        ServiceError(code: 67200005, message: message, httpStatus: 402)
    }
    /// 67200006 (403).
    public static func clientExpired() -> ServiceError {
        ServiceError(code: 67200006, message: "this client has expired", httpStatus: 403)
    }
    /// 67200007 (429): the client's calls per second or minute.
    public static func rateLimited(retryAfter: Int, limit: String) -> ServiceError {
        ServiceError(code: 67200007, message: "exceeded the call limit (\(limit)), retry after \(retryAfter) s",
                     httpStatus: 429, retryAfter: retryAfter)
    }
}
