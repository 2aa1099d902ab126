import Foundation
import PatentTasks
import PatentTestSupport
import PostgresNIO
import Testing
@testable import PatentPostgres

/// Export tasks claimed by workers of several nodes: one worker per task, leases, fencing
/// at finish, and the money of each task settled once.
@Suite("Export claims on PostgreSQL")
struct ExportClaimTests {
    static let fee: Int64 = 10
    static let startingBalance: Int64 = 10_000

    /// A client with a balance, `count` waiting tasks each with its fee reserved (as the
    /// create path leaves them); their ids, oldest first.
    static func seed(_ database: SharedDatabase, tasks count: Int) async throws -> [String] {
        let client = database.client
        try await client.query("""
            INSERT INTO client (id, name, secret_hash, created_at, apis, max_level, balance)
            VALUES ('c1', 'Client', 'x', 0, 'all', 3, \(startingBalance))
            """)
        try await client.query("INSERT INTO ledger (client_id, at, kind, amount) VALUES ('c1', 0, 'topup', \(startingBalance))")
        var ids: [String] = []
        for i in 0..<count {
            let id = String(format: "task-%04d", i)
            ids.append(id)
            try await client.query("""
                INSERT INTO export_task (id, owner, specification, generation, total, count, status, file_name,
                                         created_at, updated_at, expires_at)
                VALUES (\(id), 'c1', '{}', 1, 5, 5, 'PENDING', 'export.csv', \(Double(i)), \(Double(i)), \(Double(i) + 86_400))
                """)
            try await client.query("INSERT INTO ledger (client_id, at, kind, amount, patents, task_id) VALUES ('c1', 1, 'reserve', \(fee), 5, \(id))")
            try await client.query("UPDATE client SET balance = balance - \(fee), held = held + \(fee) WHERE id = 'c1'")
        }
        return ids
    }

    /// The client's balance and held amount, and the ledger's identities for them:
    /// balance = topups − reserves + releases, held = reserves − charges − releases.
    static func money(_ database: SharedDatabase) async throws -> (balance: Int64, held: Int64, identitiesHold: Bool) {
        let rows = try await database.client.query("""
            SELECT balance, held,
                (SELECT coalesce(sum(CASE kind WHEN 'topup' THEN amount WHEN 'reserve' THEN -amount WHEN 'release' THEN amount ELSE 0 END), 0)
                 FROM ledger WHERE client_id = 'c1')::BIGINT,
                (SELECT coalesce(sum(CASE kind WHEN 'reserve' THEN amount WHEN 'topup' THEN 0 ELSE -amount END), 0)
                 FROM ledger WHERE client_id = 'c1')::BIGINT
            FROM client WHERE id = 'c1'
            """)
        for try await (balance, held, ledgerBalance, ledgerHeld) in rows.decode((Int64, Int64, Int64, Int64).self) {
            return (balance, held, balance == ledgerBalance && held == ledgerHeld)
        }
        throw CancellationError()
    }

    static func entries(_ database: SharedDatabase, kind: String) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query("SELECT task_id FROM ledger WHERE kind = \(kind) ORDER BY task_id")
            .decode(String.self) { ids.append(id) }
        return ids
    }

    /// The task's lease set to have run out a second ago (a worker paused past it).
    static func expireLease(_ database: SharedDatabase, _ id: String) async throws {
        try await database.client.query("UPDATE export_task SET lease_until = now() - interval '1 second' WHERE id = \(id)")
    }

    static func status(_ database: SharedDatabase, _ id: String) async throws -> (status: String, sha256: String?, error: String?) {
        for try await row in try await database.client.query("SELECT status, sha256, error FROM export_task WHERE id = \(id)")
            .decode((String, String?, String?).self) { return row }
        throw CancellationError()
    }

    @Test("eight workers claiming at once: every task is claimed, written and charged exactly once")
    func concurrentClaims() async throws {
        let database = try await SharedDatabaseTests.migrated()
        let ids = try await Self.seed(database, tasks: 40)
        let claimed = try await withThrowingTaskGroup(of: [TaskClaim].self) { group in
            for w in 0..<8 {
                let claims = ExportClaims(database: database, worker: "node-\(w % 3)/worker-\(w)")
                group.addTask {
                    var mine: [TaskClaim] = []
                    while let claim = try await claims.claim() {
                        mine.append(claim)
                        let finished = try await claims.finish(claim, rowsWritten: 5, fileSize: 100, sha256: "sha-\(claim.taskID)",
                                                               fileExpiresAt: Date().addingTimeInterval(7 * 86_400))
                        #expect(finished)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.map(\.taskID).sorted() == ids)
        #expect(claimed.allSatisfy { $0.attempt == 1 })
        #expect(try await Self.entries(database, kind: "charge") == ids)
        let money = try await Self.money(database)
        #expect(money.balance == Self.startingBalance - 40 * Self.fee && money.held == 0 && money.identitiesHold)
        await database.close()
    }

    @Test("a worker whose lease ran out cannot finish; the task is claimed again and charged once")
    func fencedFinish() async throws {
        let database = try await SharedDatabaseTests.migrated()
        let ids = try await Self.seed(database, tasks: 2)
        let paused = ExportClaims(database: database, worker: "node-a", lease: .seconds(60))
        let other = ExportClaims(database: database, worker: "node-c", lease: .seconds(60))
        let expires = Date().addingTimeInterval(7 * 86_400)

        // Paused past its lease, nobody has reaped yet: still it cannot finish. The pause is
        // the lease set to have run out (a sleep past a short lease failed on a loaded machine,
        // whose first heartbeat came later than the lease).
        let first = try #require(try await paused.claim())
        #expect(first == TaskClaim(taskID: ids[0], attempt: 1, worker: "node-a"))
        #expect(try await paused.heartbeat(first, rowsWritten: 1))
        try await Self.expireLease(database, ids[0])
        #expect(try await paused.heartbeat(first, rowsWritten: 2) == false)
        #expect(try await paused.finish(first, rowsWritten: 5, fileSize: 1, sha256: "late", fileExpiresAt: expires) == false)

        // Reaped: waiting again; another node claims it (attempt 2) and finishes it.
        #expect(try await other.reap(maxAttempts: 3) == (requeued: 1, failed: 0))
        let second = try #require(try await other.claim())
        #expect(second == TaskClaim(taskID: ids[0], attempt: 2, worker: "node-c"))
        #expect(try await paused.finish(first, rowsWritten: 5, fileSize: 1, sha256: "late", fileExpiresAt: expires) == false)
        #expect(try await other.finish(second, rowsWritten: 5, fileSize: 1, sha256: "right", fileExpiresAt: expires))
        #expect(try await other.finish(second, rowsWritten: 5, fileSize: 1, sha256: "again", fileExpiresAt: expires) == false)
        #expect(try await Self.status(database, ids[0]).status == "SUCCESS")
        #expect(try await Self.status(database, ids[0]).sha256 == "right")
        #expect(try await Self.entries(database, kind: "charge") == [ids[0]])
        #expect(try await Self.status(database, ids[1]).status == "PENDING")
        let money = try await Self.money(database)
        #expect(money.balance == Self.startingBalance - 2 * Self.fee && money.held == Self.fee && money.identitiesHold)
        await database.close()
    }

    @Test("a worker paused inside the fence, past its lease, still holds the task: nobody claims or reaps it meanwhile")
    func pausedInsideTheFence() async throws {
        let database = try await SharedDatabaseTests.migrated()
        let ids = try await Self.seed(database, tasks: 1)
        let paused = ExportClaims(database: database, worker: "node-a", lease: .seconds(60))
        let other = ExportClaims(database: database, worker: "node-c", lease: .seconds(60))
        let claim = try #require(try await paused.claim())
        let (held, holding) = AsyncStream<Void>.makeStream()
        let fence = Task {
            defer { holding.finish() }
            return try await paused.whileHeld(claim) { connection in
                // The lease runs out while the row is locked (set, not slept: no timing to lose).
                try await connection.query("""
                    UPDATE export_task SET lease_until = clock_timestamp() - interval '1 second' WHERE id = \(claim.taskID)
                    """, logger: database.logger)
                holding.yield()
                try await Task.sleep(for: .milliseconds(500))    // `reap` waits on the lock meanwhile
                try await connection.query("""
                    UPDATE export_task SET status = 'SUCCESS', worker = NULL, lease_until = NULL WHERE id = \(claim.taskID)
                    """, logger: database.logger)
            }
        }
        for await _ in held { break }
        #expect(try await other.claim() == nil, "the held row is skipped")
        let reaped = try await other.reap(maxAttempts: 3)
        #expect(try await fence.value, "the fence checked the claim before the lease ran out")
        #expect(reaped == (requeued: 0, failed: 0), "the reaper waited for the COMMIT and found the task written")
        #expect(try await Self.status(database, ids[0]).status == "SUCCESS")
        #expect(try await other.claim() == nil)
        await database.close()
    }

    @Test("a task interrupted as often as it may be fails, and its reservation is released")
    func attemptsUsedUp() async throws {
        let database = try await SharedDatabaseTests.migrated()
        let ids = try await Self.seed(database, tasks: 1)
        let claims = ExportClaims(database: database, worker: "node-b", lease: .milliseconds(200))
        for attempt in 1...2 {
            let claim = try #require(try await claims.claim())
            #expect(claim.attempt == attempt)
            try await Task.sleep(for: .milliseconds(350))
            let reaped = try await claims.reap(maxAttempts: 2)
            #expect(reaped == (attempt < 2 ? (requeued: 1, failed: 0) : (requeued: 0, failed: 1)))
        }
        #expect(try await claims.claim() == nil)
        let task = try await Self.status(database, ids[0])
        #expect(task.status == "FAIL" && task.error == "the export was interrupted 2 times")
        #expect(try await Self.entries(database, kind: "release") == ids)
        #expect(try await Self.entries(database, kind: "charge") == [])
        let money = try await Self.money(database)
        #expect(money.balance == Self.startingBalance && money.held == 0 && money.identitiesHold)
        await database.close()
    }

    @Test("the database itself refuses a second charge of a task")
    func oneChargePerTask() async throws {
        let database = try await SharedDatabaseTests.migrated()
        let ids = try await Self.seed(database, tasks: 1)
        let insert: PostgresQuery = "INSERT INTO ledger (client_id, at, kind, amount, task_id) VALUES ('c1', 2, 'charge', 10, \(ids[0]))"
        try await database.client.query(insert)
        await #expect(throws: PSQLError.self) { try await database.client.query(insert) }
        await database.close()
    }
}
