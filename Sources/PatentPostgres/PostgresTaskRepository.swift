import Foundation
import PatentAccounts
import PatentTasks
import PostgresNIO

/// ``TaskRepository`` and ``TaskClaiming`` on the shared database: the export tasks of every
/// node, claimed by the writers of every node through ``ExportClaims`` (leases, fencing).
/// A task's creation stores it, its result and its reservation in one transaction, the
/// reservation with the client's row locked (`SharedLedger`), so concurrent creates on any
/// nodes never overspend or pass a quota.
public final class PostgresTaskRepository: TaskRepository, TaskClaiming {
    let database: SharedDatabase
    public let lease: TimeInterval

    public init(database: SharedDatabase, lease: TimeInterval = 30) {
        self.database = database
        self.lease = lease
    }

    private func claims(_ worker: String) -> ExportClaims {
        ExportClaims(database: database, worker: worker, lease: .milliseconds(Int64(lease * 1000)))
    }

    private var logger: Logger { database.logger }

    public func insert(_ task: ExportTask, result: [String], reservation: FeeReservation?, maximumPending: Int) throws {
        let specification = try task.specification.encodedForStorage()
        let (database, logger) = (database, logger)
        try BlockingBridge.shared.wait {
            try await database.transaction { connection in
                if let reservation {
                    // The client's row is locked first, so its pending tasks and its money are
                    // counted and spent by one create at a time, whichever node it reached.
                    try await connection.query("SELECT 1 FROM client WHERE id = \(reservation.clientID) FOR UPDATE", logger: logger)
                    let rows = try await connection.query("""
                        SELECT COUNT(*)::BIGINT FROM export_task WHERE owner = \(reservation.clientID) AND status = 'PENDING'
                        """, logger: logger)
                    var pending = 0
                    for try await count in rows.decode(Int.self) { pending = count }
                    guard pending < maximumPending else { throw ServiceError.tooManyPending(pending, maximum: maximumPending) }
                    try await SharedDatabase.reserve(connection, clientID: reservation.clientID, taskID: task.id,
                                                     patents: task.count, level: reservation.level, at: task.createdAt,
                                                     logger: logger)
                }
                try await connection.query("""
                    INSERT INTO export_task (id, owner, specification, generation, total, count, status, rows_written, file_name,
                        created_at, updated_at, expires_at, revision)
                    VALUES (\(task.id), \(task.owner), \(specification), \(task.generation), \(task.total), \(task.count),
                        \(task.status.rawValue), 0, \(task.fileName), \(task.createdAt.timeIntervalSince1970),
                        \(task.updatedAt.timeIntervalSince1970), \(task.expiresAt.timeIntervalSince1970), \(task.revision))
                    """, logger: logger)
                try await connection.query("INSERT INTO export_task_result (task_id, pns) VALUES (\(task.id), \(result.joined(separator: "\n")))",
                                           logger: logger)
            }
        }
    }

    public func task(_ id: String) throws -> ExportTask? {
        let (database, logger) = (database, logger)
        return try BlockingBridge.shared.wait {
            let rows = try await database.client.query("""
                SELECT id, owner, specification, generation, total, count, status, rows_written, file_name, file_size, sha256,
                    error, created_at, updated_at, expires_at, file_expires_at, attempt, revision
                FROM export_task WHERE id = \(id)
                """, logger: logger)
            for try await row in rows { return try Self.task(row.makeRandomAccess()) }
            return nil
        }
    }

    public func result(_ id: String) throws -> [String] {
        let (database, logger) = (database, logger)
        let joined = try BlockingBridge.shared.wait { () -> String in
            let rows = try await database.client.query("SELECT pns FROM export_task_result WHERE task_id = \(id)", logger: logger)
            for try await pns in rows.decode(String.self) { return pns }
            return ""
        }
        return joined.isEmpty ? [] : joined.split(separator: "\n").map(String.init)
    }

    public func pending() throws -> [(id: String, owner: String?)] {
        let (database, logger) = (database, logger)
        return try BlockingBridge.shared.wait {
            var found: [(id: String, owner: String?)] = []
            let rows = try await database.client.query("""
                SELECT id, owner FROM export_task WHERE status = 'PENDING' ORDER BY created_at, id
                """, logger: logger)
            for try await (id, owner) in rows.decode((String, String?).self) { found.append((id, owner)) }
            return found
        }
    }

    public func progress(_ claim: TaskClaim, rows: Int, at date: Date) throws -> Bool {
        let claims = claims(claim.worker)
        return try BlockingBridge.shared.wait { try await claims.heartbeat(claim, rowsWritten: rows, now: date) }
    }

    public func succeed(_ claim: TaskClaim, rows: Int, size: Int, sha256: String, at date: Date, fileExpiresAt: Date) throws -> Bool {
        let claims = claims(claim.worker)
        return try BlockingBridge.shared.wait {
            try await claims.finish(claim, rowsWritten: rows, fileSize: size, sha256: sha256, fileExpiresAt: fileExpiresAt, now: date)
        }
    }

    public func fail(_ claim: TaskClaim, error: String, at date: Date) throws -> Bool {
        let claims = claims(claim.worker)
        return try BlockingBridge.shared.wait { try await claims.fail(claim, error: error, now: date) }
    }

    public func claimNext(worker: String) throws -> TaskClaim? {
        let claims = claims(worker)
        return try BlockingBridge.shared.wait { try await claims.claim() }
    }

    public func reap(maxAttempts: Int, at date: Date) throws -> (requeued: Int, failed: Int) {
        let claims = claims("reaper")
        return try BlockingBridge.shared.wait { try await claims.reap(maxAttempts: maxAttempts, now: date) }
    }

    public func revoke(_ id: String, at date: Date) throws -> Bool {
        let (database, logger) = (database, logger)
        return try BlockingBridge.shared.wait {
            let rows = try await database.client.query("""
                UPDATE export_task SET file_expires_at = \(date.timeIntervalSince1970), updated_at = \(date.timeIntervalSince1970)
                WHERE id = \(id) RETURNING 1
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    public func statusCounts() throws -> [ExportStatus: Int] {
        let (database, logger) = (database, logger)
        return try BlockingBridge.shared.wait {
            var counts: [ExportStatus: Int] = [.pending: 0, .success: 0, .fail: 0]
            let rows = try await database.client.query("SELECT status, COUNT(*)::BIGINT FROM export_task GROUP BY status",
                                                       logger: logger)
            for try await (status, count) in rows.decode((String, Int).self) {
                if let status = ExportStatus(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    public func deleteExpired(now: Date) throws -> [String] {
        let (database, logger) = (database, logger)
        let seconds = now.timeIntervalSince1970
        return try BlockingBridge.shared.wait {
            var ids: [String] = []
            // The results go with their tasks (ON DELETE CASCADE).
            let rows = try await database.client.query("""
                DELETE FROM export_task WHERE status != 'PENDING' AND expires_at < \(seconds)
                    AND (file_expires_at IS NULL OR file_expires_at < \(seconds))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    static func task(_ row: PostgresRandomAccessRow) throws -> ExportTask {
        func date(_ column: String) throws -> Date? { try row[column].decode(Double?.self).map(Date.init(timeIntervalSince1970:)) }
        return ExportTask(
            id: try row["id"].decode(String.self), owner: try row["owner"].decode(String?.self),
            specification: try ExportSpecification.decode(stored: try row["specification"].decode(String.self)),
            generation: try row["generation"].decode(Int.self), total: try row["total"].decode(Int.self),
            count: try row["count"].decode(Int.self),
            status: ExportStatus(rawValue: try row["status"].decode(String.self)) ?? .fail,
            rowsWritten: try row["rows_written"].decode(Int.self), fileName: try row["file_name"].decode(String.self),
            fileSize: try row["file_size"].decode(Int?.self), sha256: try row["sha256"].decode(String?.self),
            error: try row["error"].decode(String?.self), createdAt: try date("created_at")!, updatedAt: try date("updated_at")!,
            expiresAt: try date("expires_at")!, fileExpiresAt: try date("file_expires_at"),
            attempt: try row["attempt"].decode(Int.self), revision: try row["revision"].decode(Int?.self) ?? 0)
    }
}
