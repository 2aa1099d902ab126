import Foundation
import PatentAccounts
import PatentTasks
import PatentTestSupport
import PostgresNIO
import Testing
@testable import PatentPostgres

/// Fee reservations on the shared database from several nodes at once: the client's row
/// lock makes the balance and quota checks and the spending one step.
@Suite("Shared ledger on PostgreSQL")
struct SharedLedgerTests {
    /// Three nodes' pools on one migrated database, and a client with `balance` cents and
    /// `dailyQuota` patents.
    static func nodes(balance: Int64, dailyQuota: Int64?) async throws -> [SharedDatabase] {
        let url = try PostgresServer.shared.createDatabase()
        let nodes = try (0..<3).map { _ in try SharedDatabase(url: url) }
        try await nodes[0].migrate()
        try await nodes[0].client.query("""
            INSERT INTO client (id, name, secret_hash, created_at, apis, max_level, balance, daily_quota)
            VALUES ('c1', 'Client', 'x', 0, 'all', 3, \(balance), \(dailyQuota))
            """)
        try await nodes[0].client.query("INSERT INTO ledger (client_id, at, kind, amount) VALUES ('c1', 0, 'topup', \(balance))")
        return nodes
    }

    /// 200 reservations of 5 patents at level 1 (1 cent each), spread over the nodes, all at
    /// once: the codes of the refusals, by how many.
    static func reserveConcurrently(_ nodes: [SharedDatabase]) async throws -> (granted: Int, refusals: [Int: Int]) {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for i in 0..<200 {
                let node = nodes[i % nodes.count]
                group.addTask {
                    do {
                        try await node.reserve(clientID: "c1", taskID: "task-\(i)", patents: 5, level: 1)
                        return nil
                    } catch let refusal as ServiceError {
                        return refusal.code
                    }
                }
            }
            var granted = 0
            var refusals: [Int: Int] = [:]
            for try await code in group {
                if let code { refusals[code, default: 0] += 1 } else { granted += 1 }
            }
            return (granted, refusals)
        }
    }

    @Test("200 creates over 3 nodes against a balance for 50: exactly 50 reserved, the rest refused 67200005, nothing overspent")
    func balance() async throws {
        let nodes = try await Self.nodes(balance: 250, dailyQuota: nil)
        let (granted, refusals) = try await Self.reserveConcurrently(nodes)
        #expect(granted == 50 && refusals == [67200005: 150])
        let money = try await ExportClaimTests.money(nodes[0])
        #expect(money.balance == 0 && money.held == 250 && money.identitiesHold)
        for node in nodes { await node.close() }
    }

    @Test("200 creates over 3 nodes against a daily quota of 100 patents: exactly 20 reserved, the rest refused 67200002")
    func quota() async throws {
        let nodes = try await Self.nodes(balance: 1_000_000, dailyQuota: 100)
        let (granted, refusals) = try await Self.reserveConcurrently(nodes)
        #expect(granted == 20 && refusals == [67200002: 180])
        let money = try await ExportClaimTests.money(nodes[0])
        #expect(money.balance == 1_000_000 - 100 && money.held == 100 && money.identitiesHold)
        for node in nodes { await node.close() }
    }

    @Test("a disabled, an expired or an unknown client reserves nothing")
    func refusedClients() async throws {
        let nodes = try await Self.nodes(balance: 1_000, dailyQuota: nil)
        let node = nodes[0]
        await #expect(throws: ServiceError.authentication()) {
            try await node.reserve(clientID: "nobody", taskID: "t1", patents: 1, level: 1)
        }
        try await node.client.query("UPDATE client SET expires_at = 1 WHERE id = 'c1'")
        await #expect(throws: ServiceError.clientExpired()) { try await node.reserve(clientID: "c1", taskID: "t2", patents: 1, level: 1) }
        try await node.client.query("UPDATE client SET expires_at = NULL, disabled_at = 1 WHERE id = 'c1'")
        await #expect(throws: ServiceError.authentication()) { try await node.reserve(clientID: "c1", taskID: "t3", patents: 1, level: 1) }
        let money = try await ExportClaimTests.money(node)
        #expect(money.balance == 1_000 && money.held == 0)
        for node in nodes { await node.close() }
    }
}
