import Foundation
import GRDB

/// The export tasks in `tasks.sqlite` next to the patents (GRDB, WAL, synchronous
/// FULL: a task the API confirmed survives `kill -9` and power loss). A task's result —
/// the ordered publication numbers the file will hold — is stored with it in the same
/// transaction, so the file can be written, or rewritten after a crash, from exactly
/// the snapshot the count came from.
final class TaskStore: Sendable {
    let pool: DatabasePool

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("tasks.sqlite"), configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE export_task (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT,
                    specification TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    total INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    rows_written INTEGER NOT NULL DEFAULT 0,
                    file_name TEXT NOT NULL,
                    file_size INTEGER,
                    sha256 TEXT,
                    error TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    file_expires_at REAL
                );
                CREATE INDEX export_task_status ON export_task(status);
                CREATE TABLE export_task_result (
                    task_id TEXT PRIMARY KEY NOT NULL REFERENCES export_task(id) ON DELETE CASCADE,
                    pns TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    func insert(_ task: ExportTask, result: [String]) throws {
        let specification = String(decoding: try JSONEncoder().encode(task.specification), as: UTF8.self)
        try pool.write { db in
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

    func ids(status: ExportStatus) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM export_task WHERE status = ? ORDER BY created_at", arguments: [status.rawValue])
        }
    }

    func progress(_ id: String, rows: Int, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET rows_written = ?, updated_at = ? WHERE id = ? AND status = 'PENDING'",
                           arguments: [rows, date.timeIntervalSince1970, id])
        }
    }

    func succeed(_ id: String, rows: Int, size: Int, sha256: String, at date: Date, fileExpiresAt: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE export_task SET status = 'SUCCESS', rows_written = ?, file_size = ?, sha256 = ?, updated_at = ?,
                    file_expires_at = ? WHERE id = ?
                """, arguments: [rows, size, sha256, date.timeIntervalSince1970, fileExpiresAt.timeIntervalSince1970, id])
        }
    }

    func fail(_ id: String, error: String, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE export_task SET status = 'FAIL', error = ?, updated_at = ? WHERE id = ?",
                           arguments: [error, date.timeIntervalSince1970, id])
        }
    }

    /// Deletes tasks whose id and file have both expired; returns their ids.
    func deleteExpired(now: Date) throws -> [String] {
        let seconds = now.timeIntervalSince1970
        return try pool.write { db in
            let ids = try String.fetchAll(db, sql: """
                SELECT id FROM export_task WHERE expires_at < ? AND (file_expires_at IS NULL OR file_expires_at < ?)
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
