/// PatentStore: the patent repository on SQLite (GRDB, WAL), one row per publication
/// keyed by normalised PN, with the family groupings kept current on every import.
///
/// Durability: every batch is one transaction, so `kill -9` loses at most the batch
/// in flight and never leaves half a patent; WAL with `synchronous=NORMAL` keeps
/// committed batches across process crashes.
import Foundation
import GRDB
import PatentModel

public final class PatentStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the store in `directory/patents.sqlite`. Records an
    /// earlier version wrote are converted to the current form first
    /// (`convertRecords`), reporting (walked, total) to `conversionProgress`.
    public init(directory: String, conversionProgress: ((Int, Int) -> Void)? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("patents.sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // Checkpoints every 64 MB of WAL rather than SQLite's 4 MB: an import touches
            // index pages all over the file, and a page changed by many batches between
            // two checkpoints is copied into the database once (20 % faster imports at
            // 200k). The WAL file is cut back to that size after each checkpoint.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        try markRecordsCurrent(ifEmpty: true)
        try convertRecords(progress: conversionProgress)
    }

    // MARK: reading

    /// The stored record, or nil.
    public func patent(_ pn: String) throws -> Patent? {
        let key = PublicationNumber(parsing: pn)?.normalized ?? pn.uppercased()
        return try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT record, text FROM patent WHERE pn = ?", arguments: [key])
        }.map { try Self.decode($0[0], text: $0[1]) }
    }

    /// Publication numbers matching a number without kind code (`US10047600` → every kind).
    public func publicationNumbers(matching pn: String) throws -> [String] {
        guard let number = PublicationNumber(parsing: pn) else { return [] }
        return try pool.read { db in
            try String.fetchAll(db, sql: "SELECT pn FROM patent WHERE pn = ? OR (pn >= ? AND pn < ?) ORDER BY pn",
                                arguments: [number.normalized, number.withoutKind + "A", number.withoutKind + "["])
        }
    }

    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent") ?? 0 }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok", or the first problem it finds.
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// The family id of a publication at a level.
    public func familyID(of pn: String, level: FamilyLevel) throws -> Int? {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT family_id FROM family WHERE pn = ? AND level = ?", arguments: [pn, level.rawValue])
        }
    }

    /// The members of a family, sorted by PN.
    public func familyMembers(_ id: Int, level: FamilyLevel) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT pn FROM family WHERE level = ? AND family_id = ? ORDER BY pn",
                                arguments: [level.rawValue, id])
        }
    }

    /// A record as the store keeps it (`PatentRecordCodec`; JSON in earlier versions).
    public static func encode(_ patent: Patent) -> PatentRecordCodec.Stored { PatentRecordCodec.encode(patent) }

    static func decode(_ data: Data, text: Data? = nil, parts: PatentRecordCodec.Parts = .all) throws -> Patent {
        try PatentRecordCodec.decode(data, text: text, parts: parts)
    }
}
