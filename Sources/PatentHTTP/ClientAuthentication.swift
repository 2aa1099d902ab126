import Foundation
import HTTPTypes
import Hummingbird
import PatentTasks

/// Guards a business route: who calls (67200003, 67200006), the platform's and the
/// client's call limits (67200001, 67200007 with `Retry-After`) and the package
/// (67200004); then runs the route as that client. Every answer of a known client
/// carries `RateLimit-*` headers.
struct ClientAuthentication: RouterMiddleware {
    typealias Context = PatentRequestContext

    let accounts: AccountStore
    let limiter: RateLimiter
    let limits: PlatformLimits
    let api: PlatformAPI
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let date = now()
        let client = try accounts.authenticate(bearer: Self.bearer(request.headers),
                                               apikey: request.uri.queryParameters["apikey"].map(String.init), at: date)
        let platform = limiter.acquire("*", limits: [.init(capacity: limits.platformPerSecond, window: 1)], now: date)
        guard platform.allowed else { throw ServiceError.platformLimit(retryAfter: platform.retryAfter) }
        let clientLimits: [RateLimiter.Limit] = [
            .init(capacity: client.ratePerSecond ?? limits.clientPerSecond, window: 1),
            .init(capacity: client.ratePerMinute ?? limits.clientPerMinute, window: 60),
        ]
        let decision = limiter.acquire("client:" + client.id, limits: clientLimits, now: date)
        do {
            guard decision.allowed else {
                throw ServiceError.rateLimited(retryAfter: decision.retryAfter, limit: decision.limit.description)
            }
            guard client.apis.contains(api) else {
                throw ServiceError.noPermission("no permission: \(api.rawValue) is not in this client's package")
            }
            var context = context
            context.client = client
            var response = try await next(request, context)
            decision.apply(to: &response.headers)
            return response
        } catch let error as ServiceError {
            var headers = HTTPFields()
            decision.apply(to: &headers)
            throw EnvelopedError(error: error, headers: headers)
        }
    }

    /// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
    static func bearer(_ headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

/// A ``ServiceError`` with headers its answer must carry (rate limits).
struct EnvelopedError: Error {
    let error: ServiceError
    let headers: HTTPFields
}
