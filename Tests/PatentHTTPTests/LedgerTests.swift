import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PatentAccounts
@testable import PatentTasks
import Testing
@testable import PatentHTTP

/// Fees (API.md "Billing"): reserved at create, charged when the file is written,
/// released on FAIL; the ledger explains the balance to the cent; no interleaving of
/// concurrent creates spends more than the balance or the quota.
@Suite struct LedgerTests {
    func statement(_ server: TestServer, _ id: String) throws -> AccountStore.Statement {
        try server.tasks.accounts.statement(id, at: server.clock.now)
    }

    /// The two identities every statement must satisfy.
    func expectBalanced(_ statement: AccountStore.Statement, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(statement.client.balance == statement.toppedUp - statement.reserved + statement.released, sourceLocation: sourceLocation)
        #expect(statement.client.held == statement.reserved - statement.charged - statement.released, sourceLocation: sourceLocation)
    }

    @Test func aTaskIsReservedThenChargedAtThePriceOfItsHighestLevel() async throws {
        let server = try TestServer(start: false)
        let payer = try server.makeClient { $0.balance = 10_00 }
        try server.tasks.accounts.setPrice(level: 2, cents: 3)
        try await server.run { api in
            // PN (level 1) with AN (level 2): 7 patents × 0.03.
            let created = try await api.with(key: payer.key)
                .export(#"{"query_text": "method", "fields": "PN,AN", "export_type": "csv", "rows": 7}"#)
            #expect(created.data["count"] as? Int == 7)
            var now = try statement(server, payer.client.id)
            #expect(now.client.balance == 10_00 - 21 && now.client.held == 21)
            #expect(now.entries.map(\.kind) == [.topup, .reserve])
            #expect(now.entries[1].patents == 7 && now.entries[1].taskID == created.data["task_id"] as? String)
            #expect(now.usedToday == 7 && now.usedThisMonth == 7)
            expectBalanced(now)
            try server.tasks.start()
            server.tasks.waitUntilIdle()
            now = try statement(server, payer.client.id)
            #expect(now.client.balance == 9_79 && now.client.held == 0)
            #expect(now.charged == 21 && now.entries.map(\.kind) == [.topup, .reserve, .charge])
            expectBalanced(now)
            // A pdf export is level 3 whatever its fields: 2 × 0.10.
            _ = try await api.with(key: payer.key).export(#"{"query_text": "method", "fields": "PN", "export_type": "pdf", "rows": 2}"#)
            server.tasks.waitUntilIdle()
            now = try statement(server, payer.client.id)
            #expect(now.client.balance == 9_59 && now.charged == 41)
            expectBalanced(now)
        }
    }

    @Test func aFailedTaskCostsNothingAndFreesItsQuota() async throws {
        let server = try TestServer(start: false)
        let payer = try server.makeClient { $0.balance = 1_00; $0.dailyQuota = 10 }
        // The exports folder is a file: the task's file cannot be written.
        try FileManager.default.removeItem(atPath: server.tasks.exportsDirectory)
        FileManager.default.createFile(atPath: server.tasks.exportsDirectory, contents: Data("x".utf8))
        try await server.run { api in
            let created = try await api.with(key: payer.key)
                .export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 10}"#)
            #expect(created.ok)
            #expect(try statement(server, payer.client.id).usedToday == 10)
            try server.tasks.start()
            server.tasks.waitUntilIdle()
            let now = try statement(server, payer.client.id)
            #expect(now.client.balance == 1_00 && now.client.held == 0)
            #expect(now.entries.map(\.kind) == [.topup, .reserve, .release])
            #expect(now.released == 10 && now.charged == 0 && now.usedToday == 0)
            expectBalanced(now)
        }
    }

    @Test func twoHundredConcurrentCreatesNeverSpendMoreThanTheBalanceOrTheQuota() async throws {
        let server = try TestServer()
        // 1 patent × 0.01 per task: the balance pays for exactly 50 of 200.
        let payer = try server.makeClient { $0.balance = 50; $0.ratePerSecond = 1_000; $0.ratePerMinute = 1_000 }
        // Plenty of money, but 30 patents a day.
        let quoted = try server.makeClient { $0.balance = 1_000_00; $0.dailyQuota = 30; $0.ratePerSecond = 1_000; $0.ratePerMinute = 1_000 }
        let body = #"{"query_text": "method OR vehicle", "fields": "PN", "export_type": "csv", "rows": 1}"#
        try await server.run { api in
            for (client, allowed, refusal) in [(payer, 50, 67200005), (quoted, 30, 67200002)] {
                let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<200 { group.addTask { try await api.with(key: client.key).export(body).code } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(codes.filter { $0 == 0 }.count == allowed)
                #expect(codes.filter { $0 == refusal }.count == 200 - allowed)
                server.tasks.waitUntilIdle()
                let now = try statement(server, client.client.id)
                #expect(now.entries.filter { $0.kind == .reserve }.count == allowed)
                #expect(now.charged == allowed && now.client.held == 0)
                expectBalanced(now)
            }
            #expect(try server.tasks.accounts.client(payer.client.id)?.balance == 0)
            #expect(try statement(server, quoted.client.id).usedToday == 30)
        }
    }
}

/// Amounts, secrets and buckets on their own.
@Suite struct AccountUnitTests {
    @Test(arguments: [("12.34", 1234), ("0", 0), ("7", 700), ("0.5", 50), ("0.05", 5), ("100.00", 10000)])
    func amountsParse(text: String, cents: Int) {
        #expect(Cents.parse(text) == cents)
    }

    @Test(arguments: ["", "-1", "+1", "1.234", "1.", ".5", "1,00", "abc", "1e3", "١٢"])
    func malformedAmountsAreRefused(text: String) {
        #expect(Cents.parse(text) == nil)
    }

    @Test func amountsFormatToTheCent() {
        #expect(Cents.format(0) == "0.00")
        #expect(Cents.format(5) == "0.05")
        #expect(Cents.format(1234) == "12.34")
        #expect(Cents.format(-250) == "-2.50")
    }

    /// The hash format and its checks (few rounds here; `PlatformTests` checks the production count).
    @Test func secretsAreStoredSalted() {
        let first = Credentials.hashSecret("s3cret", rounds: 1_000)
        let second = Credentials.hashSecret("s3cret", rounds: 1_000)
        #expect(first != second)
        #expect(first.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(Credentials.verifySecret("s3cret", against: first))
        #expect(!Credentials.verifySecret("s3cret!", against: first))
        #expect(!Credentials.verifySecret("s3cret", against: "pbkdf2-sha256$1$zz$00"))
        #expect(!Credentials.verifySecret("anything", against: Credentials.decoy(rounds: 1_000)))
    }

    @Test func generatedCredentialsHaveTheirShapes() {
        #expect(Credentials.newClientID().count == 32)
        #expect(Credentials.newAPIKey().hasPrefix("sk-") && Credentials.newAPIKey().count == 46)
        #expect(Credentials.newSecret() != Credentials.newSecret())
    }

    @Test func bucketsRefillAtTheirRate() {
        let limiter = RateLimiter()
        let start = Date(timeIntervalSince1970: 1_000)
        let limits = [RateLimiter.Limit(capacity: 4, window: 1)]
        for index in 0..<4 { #expect(limiter.acquire("k", limits: limits, now: start).remaining == 3 - index) }
        let refused = limiter.acquire("k", limits: limits, now: start)
        #expect(!refused.allowed && refused.retryAfter == 1 && refused.reset == 1)
        #expect(!limiter.acquire("k", limits: limits, now: start.addingTimeInterval(0.2)).allowed)
        #expect(limiter.acquire("k", limits: limits, now: start.addingTimeInterval(0.25)).allowed)
        // Another key has its own bucket; a long pause never fills beyond the capacity.
        #expect(limiter.acquire("other", limits: limits, now: start).allowed)
        #expect(limiter.acquire("k", limits: limits, now: start.addingTimeInterval(100)).remaining == 3)
    }
}

/// `/metrics` in Prometheus' text format.
@Suite struct MetricsTests {
    @Test func requestsTasksRowsQueueAndSearchLatencyAreExposed() async throws {
        let server = try TestServer()
        try await server.run { api in
            #expect(try await api.post(countPath, countBody).ok)
            #expect(try await api.with(key: nil).post(countPath, countBody).code == 67200003)
            _ = try await api.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 6}"#)
            server.tasks.waitUntilIdle()
            let text = try await api.with(key: nil).execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: response.body)
            }
            for line in [
                #"patents_http_requests_total{route="/search/patent/query-search-count/v2",status="200",code="0"} 1"#,
                #"patents_http_requests_total{route="/search/patent/query-search-count/v2",status="401",code="67200003"} 1"#,
                #"patents_export_tasks_created_total{type="csv"} 1"#,
                #"patents_export_tasks_finished_total{status="SUCCESS"} 1"#,
                #"patents_export_rows_written_total 6"#,
                #"patents_export_tasks{status="SUCCESS"} 1.0"#,
                #"patents_export_tasks{status="PENDING"} 0.0"#,
                #"patents_export_queue_depth 0.0"#,
                #"patents_search_duration_seconds_count 2"#,
            ] {
                #expect(text.contains(line + "\n"), "\(line)")
            }
            #expect(text.contains(#"patents_search_duration_seconds_bucket{le="0.0005"}"#))
        }
    }
}
