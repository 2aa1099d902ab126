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

    /// Opens (creating if needed) the store in `directory/patents.sqlite`.
    public init(directory: String) throws {
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
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE patent (
                    pn TEXT PRIMARY KEY NOT NULL,
                    office TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    type TEXT NOT NULL,
                    publication_date INTEGER,
                    application_key TEXT,
                    original_language TEXT,
                    coverage INTEGER NOT NULL,
                    record BLOB NOT NULL,
                    revision INTEGER NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX patent_revision ON patent(revision);
                CREATE INDEX patent_application ON patent(application_key);
                CREATE TABLE family_key (
                    level INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    pn TEXT NOT NULL,
                    PRIMARY KEY (level, key, pn)
                ) WITHOUT ROWID;
                CREATE INDEX family_key_pn ON family_key(pn, level);
                CREATE TABLE family (
                    pn TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    family_id INTEGER NOT NULL,
                    PRIMARY KEY (pn, level)
                ) WITHOUT ROWID;
                CREATE INDEX family_members ON family(level, family_id);
                CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                """)
        }
        // The indexer walks the store in (revision, PN) order a page at a time: with the
        // PN in the index each page is a range read, not a sort of its whole revision.
        migrator.registerMigration("v2 revision-pn index") { db in
            try db.execute(sql: """
                CREATE INDEX patent_revision_pn ON patent(revision, pn);
                DROP INDEX patent_revision;
                """)
        }
        // A link key joins its patents at its own level and every level above
        // (`FamilyLevel.lowest(linkedBy:)`), so each (key, patent) is stored once, not
        // once per level: the extended level's rows hold them all.
        migrator.registerMigration("v3 family links once") { db in
            try db.execute(sql: """
                CREATE TABLE family_link (key TEXT NOT NULL, pn TEXT NOT NULL, PRIMARY KEY (key, pn)) WITHOUT ROWID;
                INSERT INTO family_link (key, pn) SELECT key, pn FROM family_key WHERE level = 3;
                CREATE INDEX family_link_pn ON family_link(pn);
                DROP TABLE family_key;
                """)
        }
        // Nothing looks patents up by application number in SQL (families link through
        // `family_link`): the index only cost every insert a B-tree write.
        migrator.registerMigration("v4 no application index") { db in
            try db.execute(sql: "DROP INDEX patent_application")
        }
        // Family ids as sources give them (API.md "Changes", FAM_ID): the local ids so far
        // (1 up) move above `FamilyLevel.localIDBase`, then each DOCDB family some of whose
        // members carry a DOCDB family id takes it (`FamilyMaintenance` numbers new ones
        // the same way). The index derives FAM_ID from these ids: its derivation number
        // rises with this, so it is rebuilt.
        migrator.registerMigration("v5 family ids from sources") { db in
            try db.execute(sql: "UPDATE family SET family_id = family_id + ? WHERE family_id < ?",
                           arguments: [FamilyLevel.localIDBase, FamilyLevel.localIDBase])
            var counts: [Int: [Int: Int]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.family_id, k.key, COUNT(*) FROM family_link k CROSS JOIN family f ON f.pn = k.pn AND f.level = ?
                WHERE k.key >= 'F:' AND k.key < 'F;' GROUP BY f.family_id, k.key
                """, arguments: [FamilyLevel.docdb.rawValue])
            while let row = try rows.next() {
                guard let source = FamilyLevel.sourceFamilyID(linkKey: row[1]) else { continue }
                counts[row[0], default: [:]][source, default: 0] += row[2]
            }
            let relabel = try db.makeStatement(sql: "UPDATE family SET family_id = ? WHERE level = ? AND family_id = ?")
            for (family, sources) in counts {
                guard let source = FamilyMaintenance.preferredSourceID(sources) else { continue }
                try relabel.execute(arguments: [source, FamilyLevel.docdb.rawValue, family])
            }
        }
        return migrator
    }

    // MARK: reading

    /// The stored record, or nil.
    public func patent(_ pn: String) throws -> Patent? {
        let key = PublicationNumber(parsing: pn)?.normalized ?? pn.uppercased()
        return try pool.read { db in
            try Data.fetchOne(db, sql: "SELECT record FROM patent WHERE pn = ?", arguments: [key])
        }.map(Self.decode)
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
    public static func encode(_ patent: Patent) -> Data { PatentRecordCodec.encode(patent) }

    static func decode(_ data: Data) throws -> Patent { try PatentRecordCodec.decode(data) }
}
