import Foundation
import GRDB
import PatentAccounts

/// ``TaskRepository`` on `tasks.sqlite` (``ServiceDatabase``), for one machine. SQLite runs
/// one writer at a time and the data folder's lock keeps other servers out, so a claim is
/// always this process's own (attempt 0) and needs no lease.
public final class SQLiteTaskRepository: TaskRepository {
    let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    public func insert(_ task: ExportTask, result: [String], reservation: FeeReservation?, maximumPending: Int) throws {
        let specification = try task.specification.encodedForStorage()
        try pool.write { db in
            if let reservation {
                let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM export_task WHERE owner = ? AND status = 'PENDING'",
                                               arguments: [reservation.clientID]) ?? 0
                guard pending < maximumPending else { throw ServiceError.tooManyPending(pending, maximum: maximumPending) }
                try Ledger.reserve(db, clientID: reservation.clientID, taskID: task.id, patents: task.count,
                                   level: reservation.level, at: task.createdAt)
            }
            try db.execute(sql: """
                INSERT INTO export_task (id, owner, specification, generation, total, count, status, rows_written, file_name,
                    created_at, updated_at, expires_at, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
                """, arguments: [task.id, task.owner, specification, task.generation, task.total, task.count,
                                 task.status.rawValue, task.fileName, task.createdAt.timeIntervalSince1970,
                                 task.updatedAt.timeIntervalSince1970, task.expiresAt.timeIntervalSince1970, task.revision])
            try db.execute(sql: "INSERT INTO export_task_result (task_id, pns) VALUES (?, ?)",
                           arguments: [task.id, result.joined(separator: "\n")])
        }
    }

    public func task(_ id: String) throws -> ExportTask? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM export_task WHERE id = ?", arguments: [id]) }
            .map(Self.task)
    }

    public func result(_ id: String) throws -> [String] {
        let joined = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT pns FROM export_task_result WHERE task_id = ?", arguments: [id])
        } ?? ""
        return joined.isEmpty ? [] : joined.split(separator: "\n").map(String.init)
    }

    public func pending() throws -> [(id: String, owner: String?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, owner FROM export_task WHERE status = 'PENDING' ORDER BY created_at")
                .map { ($0["id"], $0["owner"]) }
        }
    }

    public func progress(_ claim: TaskClaim, rows: Int, at date: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET rows_written = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [rows, date.timeIntervalSince1970, claim.taskID])
            return db.changesCount > 0
        }
    }

    public func revoke(_ id: String, at date: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET file_expires_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [date.timeIntervalSince1970, date.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func succeed(_ claim: TaskClaim, rows: Int, size: Int, sha256: String, at date: Date, fileExpiresAt: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE export_task SET status = 'SUCCESS', rows_written = ?, file_size = ?, sha256 = ?, updated_at = ?,
                    file_expires_at = ? WHERE id = ? AND status = 'PENDING'
                """, arguments: [rows, size, sha256, date.timeIntervalSince1970, fileExpiresAt.timeIntervalSince1970, claim.taskID])
            guard db.changesCount > 0 else { return false }
            try Ledger.charge(db, taskID: claim.taskID, at: date)
            return true
        }
    }

    public func fail(_ claim: TaskClaim, error: String, at date: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET status = 'FAIL', error = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [error, date.timeIntervalSince1970, claim.taskID])
            guard db.changesCount > 0 else { return false }
            try Ledger.release(db, taskID: claim.taskID, at: date)
            return true
        }
    }

    public func statusCounts() throws -> [ExportStatus: Int] {
        try pool.read { db in
            var counts: [ExportStatus: Int] = [.pending: 0, .success: 0, .fail: 0]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM export_task GROUP BY status") {
                if let status = ExportStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    public func deleteExpired(now: Date) throws -> [String] {
        let seconds = now.timeIntervalSince1970
        return try pool.write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM export_task WHERE status != 'PENDING' AND expires_at < ?
                    AND (file_expires_at IS NULL OR file_expires_at < ?)
                """, arguments: [seconds, seconds])
            try db.execute(sql: "DELETE FROM export_task_result WHERE task_id IN (SELECT value FROM json_each(?))",
                           arguments: [Self.jsonArray(ids)])
            try db.execute(sql: "DELETE FROM export_task WHERE id IN (SELECT value FROM json_each(?))", arguments: [Self.jsonArray(ids)])
            return ids
        }
    }

    private static func jsonArray(_ ids: [String]) -> String {
        // Task ids are hex, so no escaping is needed.
        "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    private static func task(_ row: Row) throws -> ExportTask {
        let specification = try ExportSpecification.decode(stored: row["specification"])
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return ExportTask(
            id: row["id"], owner: row["owner"], specification: specification, generation: row["generation"],
            total: row["total"], count: row["count"], status: ExportStatus(rawValue: row["status"]) ?? .fail,
            rowsWritten: row["rows_written"], fileName: row["file_name"], fileSize: row["file_size"], sha256: row["sha256"],
            error: row["error"], createdAt: date("created_at")!, updatedAt: date("updated_at")!, expiresAt: date("expires_at")!,
            fileExpiresAt: date("file_expires_at"), revision: row["revision"])
    }
}
