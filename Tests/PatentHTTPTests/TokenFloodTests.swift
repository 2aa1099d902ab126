import Foundation
import HTTPTypes
import Testing
@testable import PatentHTTP
@testable import PatentTasks

/// `/oauth/token` under a flood of wrong secrets: per-address and per-client-id limits
/// refuse before any hashing (67200007, 429, `Retry-After`), and key derivation runs on
/// a bounded pool of its own that refuses rather than queueing without end.
@Suite struct TokenFloodTests {
    static let form = "application/x-www-form-urlencoded"

    @Test func aClientIDIsRefusedAfterItsTokenLimitWhateverTheSecret() async throws {
        var limits = PlatformLimits()
        limits.tokenPerMinutePerClient = 3
        limits.tokenRefusalDelay = .zero
        let server = try TestServer(limits: limits)
        let other = try server.makeClient()
        try await server.run { api in
            let anonymous = api.with(key: nil)
            for _ in 0..<3 {
                let wrong = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                     headers: basic(other.client.id, "wrong"))
                #expect(wrong.status == 401 && wrong.code == 67200003)
            }
            // The right secret too: the limit is counted before the secret is looked at.
            let limited = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                   headers: basic(other.client.id, other.secret))
            #expect(limited.status == 429)
            #expect(limited.code == 67200007)
            #expect(limited.message.contains("3 token requests per minute"))
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
            // Another client id is not affected, and a minute later the first may try again.
            let fresh = try server.makeClient()
            let allowed = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                   headers: basic(fresh.client.id, fresh.secret))
            #expect(allowed.json["token"] is String)
            server.clock.advance(60)
            let later = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                 headers: basic(other.client.id, other.secret))
            #expect(later.json["token"] is String, "\(later.message)")
        }
    }

    @Test func anAddressIsRefusedAfterItsTokenLimitAcrossClientIDs() async throws {
        var limits = PlatformLimits()
        limits.tokenPerMinutePerAddress = 5
        limits.tokenRefusalDelay = .zero
        let server = try TestServer(limits: limits)
        try await server.run { api in
            let anonymous = api.with(key: nil)
            var codes: [Int] = []
            for index in 0..<8 {
                let id = String(format: "%032x", index)
                codes.append(try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                      headers: basic(id, "guess")).code)
            }
            #expect(codes == Array(repeating: 67200003, count: 5) + Array(repeating: 67200007, count: 3))
            // Business calls of other clients go on.
            #expect(try await api.post("/search/patent/query-search-count/v2", #"{"query_text": "method"}"#).ok)
        }
    }

    @Test func refusalsWaitBeforeTheyAnswer() async throws {
        var limits = PlatformLimits()
        limits.tokenRefusalDelay = .seconds(1)
        let server = try TestServer(limits: limits)
        let other = try server.makeClient()
        try await server.run { api in
            let anonymous = api.with(key: nil)
            let clock = ContinuousClock()
            var answer: Answer?
            let refused = try await clock.measure {
                answer = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                                  headers: basic(other.client.id, "wrong"))
            }
            #expect(answer?.code == 67200003)
            #expect(refused >= .seconds(1))
            // A right secret is answered as soon as it is checked (no lower bound to test).
            answer = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: Self.form,
                                              headers: basic(other.client.id, other.secret))
            #expect(answer?.json["token"] is String)
        }
    }

    @Test func aSaturatedPoolRefusesInsteadOfQueueing() async throws {
        let pool = WorkPool(threads: 1, maximumPending: 2)
        let gate = Gate()
        async let first: Void = pool.run { gate.wait() }
        async let second: Void = pool.run { gate.wait() }
        while pool.pendingCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: WorkPool.Saturated.self) { try await pool.run { } }
        gate.open()
        _ = try await (first, second)
        #expect(pool.pendingCount == 0)
        #expect(try await pool.run { 42 } == 42)
    }

    /// Blocks pool threads until opened.
    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var isOpen = false

        func wait() {
            condition.lock()
            while !isOpen { condition.wait() }
            condition.unlock()
        }

        func open() {
            condition.lock()
            isOpen = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
