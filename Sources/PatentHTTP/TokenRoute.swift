import Foundation
import Hummingbird
import PatentAccounts
import PatentTasks

/// `POST /oauth/token` exactly as API.md: HTTP Basic `client_id:client_secret` (or the
/// two as form fields), form body `grant_type=client_credentials`; the answer's key is
/// `token`, `issued_at` is epoch milliseconds as a string. Refusals are envelopes.
///
/// Checking a secret costs a PBKDF2 derivation (~0.1 s of a core), so the route guards
/// the machine before it hashes: the platform's call limit, per-address and per-client-id
/// token limits (67200007), and a bounded pool of its own for the derivation (67200007
/// when that many are already waiting). Refusals for a wrong secret or a limit are
/// answered after ``PlatformLimits/tokenRefusalDelay``.
struct TokenRoute {
    let accounts: AccountStore
    let secrets: WorkPool
    let limiter: RateLimiter
    let limits: PlatformLimits
    let now: @Sendable () -> Date

    func register(on router: Router<PatentRequestContext>) {
        router.post("/oauth/token") { request, context in
            do {
                return try await token(request, context: context)
            } catch let refusal as ServiceError where refusal.code == 67200003 || refusal.code == 67200007 {
                // A tarpit: a wrong secret or a refused flood waits before its answer, which
                // costs the server nothing (no thread waits) and slows a client that sends
                // back to back on one connection to a few requests per second.
                try? await Task.sleep(for: limits.tokenRefusalDelay)
                throw refusal
            }
        }
    }

    struct Issued: Encodable {
        let token: String
        let token_type = "BearerToken"
        let expires_in: Int
        let status = "approved"
        let issued_at: String
    }

    func token(_ request: Request, context: PatentRequestContext) async throws -> Response {
        let date = now()
        try limiter.admitPlatformCall(limits, now: date)
        var request = request
        let buffer = try await request.boundedBody(context: context)
        let form = Self.form(String(decoding: buffer.readableBytesView, as: UTF8.self))
        // Credentials come first: a request without valid ones is refused as
        // unauthenticated (401) whatever else is wrong with it; grant_type is checked after.
        guard let (id, secret) = Self.basic(request.headers[.authorization])
                ?? form["client_id"].flatMap({ id in form["client_secret"].map { (id, $0) } }) else {
            throw ServiceError.authentication("authentication required: HTTP Basic client_id:client_secret")
        }
        let grant = form["grant_type"]
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        for (key, capacity) in [("token-address:" + address, limits.tokenPerMinutePerAddress),
                                ("token-client:" + id, limits.tokenPerMinutePerClient)] {
            let decision = limiter.acquire(key, limits: [.init(capacity: capacity, window: 60)], now: date)
            guard decision.allowed else {
                throw ServiceError.rateLimited(retryAfter: decision.retryAfter, limit: "\(capacity) token requests per minute")
            }
        }
        let accounts = accounts
        let issued: AccountStore.IssuedToken
        do {
            issued = try await secrets.run { () throws(ServiceError) -> AccountStore.IssuedToken in
                let client = try accounts.authenticateClient(clientID: id, secret: secret, at: date)
                guard grant == "client_credentials" else {
                    throw ServiceError.invalidParameter("grant_type must be client_credentials, not '\(grant ?? "")'")
                }
                return try accounts.issueToken(for: client, at: date)
            }
        } catch is WorkPool.Saturated {
            throw ServiceError.rateLimited(retryAfter: 1, limit: "\(secrets.maximumPending ?? 0) token requests checked at once")
        }
        let body = Issued(token: issued.token, expires_in: issued.expiresIn,
                          issued_at: String(Int64((issued.issuedAt.timeIntervalSince1970 * 1000).rounded())))
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(body))))
    }

    /// `application/x-www-form-urlencoded` pairs; later keys win.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            fields[decode(parts[0])] = parts.count == 2 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// id and secret of `Basic base64(id:secret)`.
    static func basic(_ header: String?) -> (String, String)? {
        guard let encoded = ClientAuthentication.credentials(header, scheme: "basic"),
              let data = Data(base64Encoded: encoded) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
