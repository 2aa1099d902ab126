import Foundation
import GRDB

/// The export tasks in `tasks.sqlite` (``ServiceDatabase``). A task's result — the
/// ordered publication numbers the file will hold — is stored with it in the same
/// transaction, so the file can be written, or rewritten after a crash, from exactly
/// the snapshot the count came from; so is its fee reservation, and its charge or
/// release with its final status (``Ledger``).
final class TaskStore: Sendable {
    let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Stores a task and its result; with a `reservation`, sets its fee aside in the same
    /// transaction (which throws the ledger's refusals and stores nothing then), and refuses
    /// (67200007) when the client already has `maximumPending` tasks waiting or being written.
    func insert(_ task: ExportTask, result: [String], reservation: (clientID: String, level: Int)?, maximumPending: Int) throws {
        let specification = String(decoding: try JSONEncoder().encode(task.specification), as: UTF8.self)
        try pool.write { db in
            if let reservation {
                let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM export_task WHERE owner = ? AND status = 'PENDING'",
                                               arguments: [reservation.clientID]) ?? 0
                guard pending < maximumPending else {
                    throw ServiceError(code: 67200007, message: "too many export tasks in progress: this client has \(pending) "
                                       + "waiting or being written (at most \(maximumPending)); create more when one has finished",
                                       httpStatus: 429, retryAfter: 5)
                }
                try Ledger.reserve(db, clientID: reservation.clientID, taskID: task.id, patents: task.count,
                                   level: reservation.level, at: task.createdAt)
            }
            try db.execute(sql: """
                INSERT INTO export_task (id, owner, specification, generation, total, count, status, rows_written, file_name,
                    created_at, updated_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                """, arguments: [task.id, task.owner, specification, task.generation, task.total, task.count,
                                 task.status.rawValue, task.fileName, task.createdAt.timeIntervalSince1970,
                                 task.updatedAt.timeIntervalSince1970, task.expiresAt.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO export_task_result (task_id, pns) VALUES (?, ?)",
                           arguments: [task.id, result.joined(separator: "\n")])
        }
    }

    func task(_ id: String) throws -> ExportTask? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM export_task WHERE id = ?", arguments: [id]) }
            .map(Self.task)
    }

    func result(_ id: String) throws -> [String] {
        let joined = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT pns FROM export_task_result WHERE task_id = ?", arguments: [id])
        } ?? ""
        return joined.isEmpty ? [] : joined.split(separator: "\n").map(String.init)
    }

    /// PENDING tasks with their owners, oldest first.
    func pending() throws -> [(id: String, owner: String?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, owner FROM export_task WHERE status = 'PENDING' ORDER BY created_at")
                .map { ($0["id"], $0["owner"]) }
        }
    }

    func progress(_ id: String, rows: Int, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET rows_written = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [rows, date.timeIntervalSince1970, id])
        }
    }

    /// Ends the task's file lifetime now; false when no task has the id.
    func revoke(_ id: String, at date: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET file_expires_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [date.timeIntervalSince1970, date.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    func succeed(_ id: String, rows: Int, size: Int, sha256: String, at date: Date, fileExpiresAt: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE export_task SET status = 'SUCCESS', rows_written = ?, file_size = ?, sha256 = ?, updated_at = ?,
                    file_expires_at = ? WHERE id = ?
                """, arguments: [rows, size, sha256, date.timeIntervalSince1970, fileExpiresAt.timeIntervalSince1970, id])
            try Ledger.charge(db, taskID: id, at: date)
        }
    }

    func fail(_ id: String, error: String, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET status = 'FAIL', error = ?, updated_at = ? WHERE id = ?",
                           arguments: [error, date.timeIntervalSince1970, id])
            try Ledger.release(db, taskID: id, at: date)
        }
    }

    /// Counts of tasks by status (for `/metrics`).
    func statusCounts() throws -> [ExportStatus: Int] {
        try pool.read { db in
            var counts: [ExportStatus: Int] = [.pending: 0, .success: 0, .fail: 0]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM export_task GROUP BY status") {
                if let status = ExportStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    /// Deletes finished tasks whose id and file have both expired; returns their ids. A
    /// PENDING task is never deleted: it is written (and charged or released) first.
    func deleteExpired(now: Date) throws -> [String] {
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
        let specification = try JSONDecoder().decode(ExportSpecification.self, from: Data((row["specification"] as String).utf8))
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return ExportTask(
            id: row["id"], owner: row["owner"], specification: specification, generation: row["generation"],
            total: row["total"], count: row["count"], status: ExportStatus(rawValue: row["status"]) ?? .fail,
            rowsWritten: row["rows_written"], fileName: row["file_name"], fileSize: row["file_size"], sha256: row["sha256"],
            error: row["error"], createdAt: date("created_at")!, updatedAt: date("updated_at")!, expiresAt: date("expires_at")!,
            fileExpiresAt: date("file_expires_at"))
    }
}
