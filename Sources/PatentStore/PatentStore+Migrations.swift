import Foundation
import GRDB
import PatentModel

/// The store's schema, version by version. A store written by an earlier version is
/// brought up to date when it is opened, each step in its own transaction.
extension PatentStore {
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
        // Application and priority numbers in one canonical form per office
        // (`ApplicationNumberKey`): every patent whose record gives other link keys than
        // the stored ones (the rules need the record: DOCDB's kind `W` beside a number
        // makes it a PCT application) gets them anew and its families re-partitioned,
        // 500 at a time, so families that only other spellings kept apart now join.
        migrator.registerMigration("v6 canonical application numbers") { db in
            var stale: [(pn: String, patent: Patent)] = []
            let storedKeys = try db.makeStatement(sql: "SELECT key FROM family_link WHERE pn = ?")
            let revision = try Self.nextValue(db, counter: "revision")
            func repartition() throws {
                try FamilyMaintenance(db: db, revision: revision).update(stale)
                stale.removeAll(keepingCapacity: true)
            }
            let records = try Row.fetchCursor(db, sql: "SELECT pn, record FROM patent")
            while let row = try records.next() {
                let pn: String = row[0]
                let patent = try decode(row[1])
                if try Set(String.fetchAll(storedKeys, arguments: [pn])) != FamilyLevel.extended.keys(of: patent) {
                    stale.append((pn, patent))
                }
                if stale.count == 500 { try repartition() }
            }
            if !stale.isEmpty { try repartition() }
        }
        // Claims and descriptions in a column of their own (record form 4): records are
        // moved there by `convertRecords` when the store is opened.
        migrator.registerMigration("v7 record text apart") { db in
            try db.execute(sql: "ALTER TABLE patent ADD COLUMN text BLOB")
        }
        return migrator
    }
}
