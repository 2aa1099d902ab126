import Foundation
import HTTPTypes
import Hummingbird
import PatentAccounts
import PatentTasks

/// Guards a business route: who calls (67200003, 67200006), the platform's and the
/// client's call limits (67200001, 67200007 with `Retry-After`) and the package
/// (67200004); then runs the route as that client. Every answer of a known client
/// carries `RateLimit-*` headers.
struct ClientAuthentication: RouterMiddleware {
    typealias Context = PatentRequestContext

    let accounts: AccountStore
    let work: WorkPool
    let limiter: RateLimiter
    let limits: PlatformLimits
    let api: PlatformAPI
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let date = now()
        // Calls that fail authentication count against the platform's limit too.
        try limiter.admitPlatformCall(limits, now: date)
        let (accounts, bearer) = (accounts, Self.credentials(request.headers[.authorization], scheme: "bearer"))
        let apikey = request.uri.queryParameters["apikey"].map(String.init)
        let client = try await work.run { try accounts.authenticate(bearer: bearer, apikey: apikey, at: date) }
        let clientLimits: [RateLimiter.Limit] = [
            .init(capacity: limits.share(client.ratePerSecond ?? limits.clientPerSecond), window: 1),
            .init(capacity: limits.share(client.ratePerMinute ?? limits.clientPerMinute), window: 60),
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

    /// The credentials of an `Authorization: <scheme> <credentials>` header when its
    /// scheme (case-insensitive) is `scheme` (lower case): the token of `Bearer`, the
    /// base64 of `Basic`.
    static func credentials(_ header: String?, scheme: String) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == scheme else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

/// A ``ServiceError`` with headers its answer must carry (rate limits).
struct EnvelopedError: Error {
    let error: ServiceError
    let headers: HTTPFields
}
