import Foundation
import HTTPTypes
import PatentAccounts
import PatentTasks

/// Call limits (API.md "Billing, quotas and limits"): the platform's total and each
/// client's per second and per minute, unless the operator set the client's own.
public struct PlatformLimits: Sendable {
    /// Business calls per second across all clients (67200001 beyond).
    public var platformPerSecond = 500
    public var clientPerSecond = 20
    public var clientPerMinute = 600
    /// `/oauth/token` requests per minute from one network address, and naming one
    /// client id, whatever their outcome: checked before the secret is hashed, so wrong
    /// secrets sent in a flood are refused (67200007) at almost no cost. A client needs
    /// one token per 30 minutes.
    public var tokenPerMinutePerAddress = 30
    public var tokenPerMinutePerClient = 10
    /// How long `/oauth/token` waits before answering 67200003 or 67200007.
    public var tokenRefusalDelay: Duration = .milliseconds(500)
    /// Nodes serving the same clients (`serve --nodes`). Buckets stay in each node's memory,
    /// so each node allows its share of the platform's and every client's rate — the limit
    /// divided by the nodes, rounded up. Approximate by design: a client whose calls reach
    /// the nodes unevenly is refused a little before its full rate. Exact counting through
    /// PostgreSQL was measured and not chosen: a round trip on every business call (0.5–2.7
    /// ms) and one platform row every call updates (BENCHMARKS.md "Exact rate limits").
    public var nodes = 1

    public init() {}

    /// This node's share of a limit of `capacity` calls.
    public func share(_ capacity: Int) -> Int {
        let nodes = max(1, nodes)
        return max(1, capacity / nodes + (capacity % nodes == 0 ? 0 : 1))
    }
}

/// Token buckets: a bucket of `capacity` tokens refills at `capacity` per `window`
/// seconds and a call takes one token from every bucket of its key, or from none. State
/// is in memory: a restart refills every bucket, which only ever errs towards the client.
final class RateLimiter: @unchecked Sendable {
    struct Limit: Sendable, Equatable {
        let capacity: Int
        let window: TimeInterval

        var policy: String { "\(capacity);w=\(Int(window))" }
        var description: String { "\(capacity) calls per \(window == 1 ? "second" : window == 60 ? "minute" : "\(Int(window)) s")" }
    }

    /// The outcome of one call, and what the `RateLimit-*` headers say.
    struct Decision: Sendable {
        let allowed: Bool
        /// The bucket nearest to empty.
        let limit: Limit
        let remaining: Int
        /// Seconds until that bucket is full again.
        let reset: Int
        /// Seconds until the call could succeed (refused calls).
        let retryAfter: Int
        let policies: [Limit]

        func apply(to headers: inout HTTPFields) {
            headers[HTTPField.Name("RateLimit-Limit")!] = String(limit.capacity)
            headers[HTTPField.Name("RateLimit-Remaining")!] = String(remaining)
            headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
            headers[HTTPField.Name("RateLimit-Policy")!] = policies.map(\.policy).joined(separator: ", ")
            if !allowed { headers[.retryAfter] = String(retryAfter) }
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]

    /// One call against the platform-wide bucket: 67200001 when it is empty.
    func admitPlatformCall(_ limits: PlatformLimits, now: Date) throws(ServiceError) {
        let decision = acquire("*", limits: [Limit(capacity: limits.share(limits.platformPerSecond), window: 1)], now: now)
        guard decision.allowed else { throw ServiceError.platformLimit(retryAfter: decision.retryAfter) }
    }

    func acquire(_ key: String, limits: [Limit], now: Date) -> Decision {
        lock.lock()
        defer { lock.unlock() }
        let names = limits.map { "\(key)|\($0.window)" }
        var levels: [(limit: Limit, tokens: Double)] = zip(limits, names).map { limit, name in
            let rate = Double(limit.capacity) / limit.window
            var bucket = buckets[name] ?? Bucket(tokens: Double(limit.capacity), updated: now)
            bucket.tokens = min(Double(limit.capacity), bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            buckets[name] = bucket
            return (limit, bucket.tokens)
        }
        let allowed = levels.allSatisfy { $0.tokens >= 1 }
        var retryAfter = 0
        if allowed {
            for index in levels.indices {
                levels[index].tokens -= 1
                buckets[names[index]]!.tokens = levels[index].tokens
            }
        } else {
            retryAfter = levels.filter { $0.tokens < 1 }
                .map { Int(((1 - $0.tokens) * $0.limit.window / Double($0.limit.capacity)).rounded(.up)) }.max() ?? 1
        }
        let tightest = levels.min { $0.tokens / Double($0.limit.capacity) < $1.tokens / Double($1.limit.capacity) }!
        let reset = Int(((Double(tightest.limit.capacity) - tightest.tokens) * tightest.limit.window
                         / Double(tightest.limit.capacity)).rounded(.up))
        return Decision(allowed: allowed, limit: tightest.limit, remaining: max(0, Int(tightest.tokens.rounded(.down))),
                        reset: reset, retryAfter: max(1, retryAfter), policies: limits)
    }
}
