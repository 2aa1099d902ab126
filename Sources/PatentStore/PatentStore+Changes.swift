import Foundation
import GRDB
import PatentModel

/// A stored patent with what the index needs besides the record.
public struct StoredPatent: Sendable {
    public let patent: Patent
    /// Grows with every write that touches the patent (its record or its families).
    public let revision: Int
    public let families: [FamilyLevel: Int]
}

extension PatentStore {
    /// The highest revision written so far (0 for an empty store).
    public func currentRevision() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'revision'") ?? 0 }
    }

    /// Patents written after `revision`, oldest revision first, at most `limit`.
    public func changes(after revision: Int, limit: Int) throws -> [StoredPatent] {
        try fetch(sql: "SELECT pn, record, revision FROM patent WHERE revision > ? ORDER BY revision, pn LIMIT ?",
                  arguments: [revision, limit])
    }

    /// Patents after a (revision, PN) position in (revision, PN) order: a page of a
    /// walk through everything written since an index commit.
    public func changes(afterRevision revision: Int, pn: String, limit: Int) throws -> [StoredPatent] {
        try fetch(sql: """
            SELECT pn, record, revision FROM patent WHERE revision > ? OR (revision = ? AND pn > ?)
            ORDER BY revision, pn LIMIT ?
            """, arguments: [revision, revision, pn, limit])
    }

    private func fetch(sql: String, arguments: StatementArguments) throws -> [StoredPatent] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return try rows.map { row in
                let pn: String = row["pn"]
                var families: [FamilyLevel: Int] = [:]
                for family in try Row.fetchAll(db, sql: "SELECT level, family_id FROM family WHERE pn = ?", arguments: [pn]) {
                    if let level = FamilyLevel(rawValue: family["level"]) { families[level] = family["family_id"] }
                }
                return StoredPatent(patent: try Self.decode(row["record"]), revision: row["revision"], families: families)
            }
        }
    }
}
