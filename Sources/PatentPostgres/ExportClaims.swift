import Foundation
import Logging
import PatentTasks
import PostgresNIO

/// Export tasks claimed by the workers of every node (the river / Oban / graphile-worker
/// pattern, `../shared/design/SCALE-OUT.md`). A waiting task (PENDING, no worker) is
/// claimed with `FOR UPDATE SKIP LOCKED`, so two workers never take the same one; the claim
/// holds a lease the worker extends while it writes (`heartbeat`). Finishing — SUCCESS and
/// the charge — is one transaction conditioned on the claim still holding (same worker, same
/// attempt, lease not run out): a worker that lost its lease (paused, cut off, too slow)
/// cannot finish, whatever it wrote. `reap` puts tasks whose lease ran out back to waiting,
/// and fails them (the reservation released) once they used up their attempts.
///
/// The task's API status stays PENDING while it is written, as PatSnap reports it.
public struct ExportClaims: Sendable {
    let database: SharedDatabase
    /// This worker's name (node and worker), recorded on what it claims.
    public let worker: String
    /// How long a claim holds without a heartbeat.
    public let lease: Duration

    public init(database: SharedDatabase, worker: String, lease: Duration = .seconds(60)) {
        self.database = database
        self.worker = worker
        self.lease = lease
    }

    private var leaseSeconds: Double {
        Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
    }

    /// Claims a waiting task — of the owner with the fewest tasks being written on any node,
    /// its oldest (clients served in turn, as one machine's queue does) — nil when none waits.
    public func claim(now: Date = Date()) async throws -> TaskClaim? {
        let rows = try await database.client.query("""
            UPDATE export_task SET worker = \(worker), attempt = attempt + 1,
                lease_until = now() + make_interval(secs => \(leaseSeconds)), updated_at = \(now.timeIntervalSince1970)
            WHERE id = (SELECT t.id FROM export_task t WHERE t.status = 'PENDING' AND t.worker IS NULL
                        ORDER BY (SELECT COUNT(*) FROM export_task w WHERE w.worker IS NOT NULL
                                  AND w.owner IS NOT DISTINCT FROM t.owner), t.created_at, t.id
                        LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, attempt
            """, logger: database.logger)
        for try await (id, attempt) in rows.decode((String, Int32).self) { return TaskClaim(taskID: id, attempt: Int(attempt), worker: worker) }
        return nil
    }

    /// Extends the lease and records the rows written; false when the claim no longer holds
    /// (the worker must stop and leave the task to whoever holds it now).
    public func heartbeat(_ claim: TaskClaim, rowsWritten: Int, now: Date = Date()) async throws -> Bool {
        try await whileHeld(claim) { connection in
            try await connection.query("""
                UPDATE export_task SET lease_until = now() + make_interval(secs => \(leaseSeconds)),
                    rows_written = \(rowsWritten), updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(claim.taskID)
                """, logger: database.logger)
        }
    }

    /// The file of a claimed task is written: SUCCESS and its charge, in one transaction, if
    /// the claim still holds; false (nothing changed) when it does not.
    public func finish(_ claim: TaskClaim, rowsWritten: Int, fileSize: Int, sha256: String, fileExpiresAt: Date,
                       now: Date = Date()) async throws -> Bool {
        try await whileHeld(claim) { connection in
            try await connection.query("""
                UPDATE export_task SET status = 'SUCCESS', worker = NULL, lease_until = NULL, rows_written = \(rowsWritten),
                    file_size = \(fileSize), sha256 = \(sha256), file_expires_at = \(fileExpiresAt.timeIntervalSince1970),
                    updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(claim.taskID)
                """, logger: database.logger)
            try await Self.settle(connection, taskID: claim.taskID, as: "charge", at: now, logger: database.logger)
        }
    }

    /// The file of a claimed task could not be written: FAIL and the release of its fee, in
    /// one transaction, if the claim still holds; false (nothing changed) when it does not.
    public func fail(_ claim: TaskClaim, error: String, now: Date = Date()) async throws -> Bool {
        try await whileHeld(claim) { connection in
            try await connection.query("""
                UPDATE export_task SET status = 'FAIL', worker = NULL, lease_until = NULL, error = \(error),
                    updated_at = \(now.timeIntervalSince1970)
                WHERE id = \(claim.taskID)
                """, logger: database.logger)
            try await Self.settle(connection, taskID: claim.taskID, as: "release", at: now, logger: database.logger)
        }
    }

    /// The fence: runs `body` in one transaction with the task's row locked, only if the
    /// claim holds then — same worker and attempt, task still waiting, lease not run out;
    /// false, and nothing done, when it does not.
    ///
    /// The lease is compared with the clock (`clock_timestamp()`), not the transaction's
    /// start. A worker paused between this check and its COMMIT holds the row's lock all
    /// the while: `claim` skips a locked row and `reap` waits for the lock, then finds the
    /// task no longer PENDING, so no other attempt can begin before that COMMIT — the late
    /// worker only commits late, and the task is still written and charged exactly once.
    func whileHeld(_ claim: TaskClaim, _ body: (PostgresConnection) async throws -> Void) async throws -> Bool {
        try await database.transaction { connection in
            let held = try await connection.query("""
                SELECT 1 FROM export_task
                WHERE id = \(claim.taskID) AND attempt = \(Int32(clamping: claim.attempt)) AND worker = \(worker)
                  AND status = 'PENDING' AND lease_until > clock_timestamp()
                FOR UPDATE
                """, logger: database.logger)
            var holds = false
            for try await _ in held { holds = true }
            guard holds else { return false }
            try await body(connection)
            return true
        }
    }

    /// Tasks whose lease ran out: back to waiting, or — after `maxAttempts` — FAIL with their
    /// reservation released. Returns how many of each.
    public func reap(maxAttempts: Int, now: Date = Date()) async throws -> (requeued: Int, failed: Int) {
        try await database.transaction { connection in
            let requeued = try await connection.query("""
                UPDATE export_task SET worker = NULL, lease_until = NULL, updated_at = \(now.timeIntervalSince1970)
                WHERE status = 'PENDING' AND worker IS NOT NULL AND lease_until <= now() AND attempt < \(Int32(clamping: maxAttempts))
                RETURNING id
                """, logger: database.logger)
            var requeuedCount = 0
            for try await _ in requeued { requeuedCount += 1 }
            let failed = try await connection.query("""
                UPDATE export_task SET status = 'FAIL', worker = NULL, lease_until = NULL,
                    error = 'the export was interrupted ' || attempt || ' times', updated_at = \(now.timeIntervalSince1970)
                WHERE status = 'PENDING' AND worker IS NOT NULL AND lease_until <= now() AND attempt >= \(Int32(clamping: maxAttempts))
                RETURNING id
                """, logger: database.logger)
            var failedIDs: [String] = []
            for try await id in failed.decode(String.self) { failedIDs.append(id) }
            for id in failedIDs { try await Self.settle(connection, taskID: id, as: "release", at: now, logger: database.logger) }
            return (requeuedCount, failedIDs.count)
        }
    }

    /// Settles a task's reservation (Ledger's rule in PatentAccounts): a charge takes it out of
    /// `held`, a release gives it back to `balance`. Nothing when there is no reservation or
    /// it was settled already; the unique index on (task, kind) refuses a second settlement
    /// of the same kind even from another node.
    static func settle(_ connection: PostgresConnection, taskID: String, as kind: String, at date: Date,
                       logger: Logger) async throws {
        let reservation = try await connection.query("""
            SELECT client_id, amount, patents FROM ledger r WHERE task_id = \(taskID) AND kind = 'reserve'
              AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.task_id = r.task_id AND s.kind IN ('charge', 'release'))
            FOR UPDATE
            """, logger: logger)
        var found: (String, Int64, Int64)?
        for try await row in reservation.decode((String, Int64, Int64).self) { found = row }
        guard let (clientID, amount, patents) = found else { return }
        let refund: Int64 = kind == "release" ? amount : 0
        try await connection.query("UPDATE client SET held = held - \(amount), balance = balance + \(refund) WHERE id = \(clientID)",
                                   logger: logger)
        try await connection.query("""
            INSERT INTO ledger (client_id, at, kind, amount, patents, task_id) VALUES
                (\(clientID), \(date.timeIntervalSince1970), \(kind), \(amount), \(patents), \(taskID))
            """, logger: logger)
    }
}
