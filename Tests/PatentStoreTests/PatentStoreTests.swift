import Foundation
import GRDB
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentStore


func record(_ pn: String, family: String? = nil, priorities: [String] = [], application: String? = nil,
            title: String? = nil) -> Patent {
    var patent = Patent(publication: PublicationNumber(parsing: pn)!)
    patent.docdbFamilyID = family
    patent.priorities = priorities.map { DocumentReference(office: String($0.prefix(2)), number: String($0.dropFirst(2))) }
    patent.application = application.map { DocumentReference(office: String($0.prefix(2)), number: String($0.dropFirst(2))) }
    if let title { patent.titles = [LocalizedText(language: "en", text: title)] }
    return patent
}

@Suite("Store writes")
struct StoreWriteTests {
    @Test("insert, update by merge, unchanged on re-import")
    func upsert() throws {
        let store = try PatentStore(directory: try temporaryDirectory("upsert"))
        #expect(try store.upsert([record("EP1000000A1", title: "Apparatus")]) == summary(inserted: 1))
        #expect(try store.upsert([record("EP1000000A1", title: "Apparatus")]) == summary(unchanged: 1))
        var claims = record("EP1000000A1")
        claims.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "1. Apparatus")])]
        #expect(try store.upsert([claims]) == summary(updated: 1))
        let stored = try #require(try store.patent("EP1000000A1"))
        #expect(stored.titles.first?.text == "Apparatus")
        #expect(stored.claims.first?.claims.count == 1)
        #expect(try store.count() == 1)
    }

    @Test("two records of one PN in one batch are merged in order")
    func sameBatch() throws {
        let store = try PatentStore(directory: try temporaryDirectory("batch"))
        var second = record("US9B2")
        second.ipc = ["H01M10/0525"]
        #expect(try store.upsert([record("US9B2", title: "Battery"), second]) == summary(inserted: 1))
        let stored = try #require(try store.patent("US9B2"))
        #expect(stored.titles.first?.text == "Battery")
        #expect(stored.ipc == ["H01M10/0525"])
    }

    @Test("numbers without kind find every kind")
    func lookupWithoutKind() throws {
        let store = try PatentStore(directory: try temporaryDirectory("kinds"))
        try store.upsert([record("US9291047B2"), record("US9291047A1"), record("US92910470B2")])
        #expect(try store.publicationNumbers(matching: "US9291047") == ["US9291047A1", "US9291047B2"])
        #expect(try store.patent("us 9291047 b2")?.pn == "US9291047B2")
    }

    private func summary(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0) -> UpsertSummary {
        var summary = UpsertSummary()
        summary.inserted = inserted
        summary.updated = updated
        summary.unchanged = unchanged
        return summary
    }
}

@Suite("Families")
struct FamilyTests {
    @Test("DOCDB family id and identical priority sets group patents")
    func docdb() throws {
        let store = try PatentStore(directory: try temporaryDirectory("docdb"))
        try store.upsert([record("EP1A1", family: "7"), record("US2B2", family: "7"),
                          record("JP3A", priorities: ["US10", "US11"]), record("CN4A", priorities: ["US11", "US10"]),
                          record("KR5A", priorities: ["US10"])])
        let a = try store.familyID(of: "EP1A1", level: .docdb)
        #expect(a == (try store.familyID(of: "US2B2", level: .docdb)))
        let b = try store.familyID(of: "JP3A", level: .docdb)
        #expect(b == (try store.familyID(of: "CN4A", level: .docdb)))
        #expect(b != (try store.familyID(of: "KR5A", level: .docdb)))
        #expect(a != b)
        // INPADOC: one shared priority is enough.
        #expect(try store.familyID(of: "KR5A", level: .inpadoc) == (try store.familyID(of: "JP3A", level: .inpadoc)))
    }

    @Test("EXTEND links shared applications and a priority equal to an application")
    func extended() throws {
        let store = try PatentStore(directory: try temporaryDirectory("extend"))
        try store.upsert([record("US20140144707A1", application: "US14168236"), record("US9945180B2", application: "US14168236"),
                          record("WO1A1", priorities: ["US14168236"]), record("EP9A1")])
        let id = try #require(try store.familyID(of: "US9945180B2", level: .extended))
        #expect(try store.familyMembers(id, level: .extended) == ["US20140144707A1", "US9945180B2", "WO1A1"])
        #expect(try store.familyID(of: "US9945180B2", level: .inpadoc) != (try store.familyID(of: "WO1A1", level: .inpadoc)))
    }

    @Test("family ids do not change when unrelated patents arrive, and merge keeps the oldest")
    func stability() throws {
        let store = try PatentStore(directory: try temporaryDirectory("stable"))
        try store.upsert([record("EP1A1", priorities: ["US1"])])
        try store.upsert([record("EP2A1", priorities: ["US2"])])
        let first = try #require(try store.familyID(of: "EP1A1", level: .inpadoc))
        let second = try #require(try store.familyID(of: "EP2A1", level: .inpadoc))
        for i in 10..<40 { try store.upsert([record("CN\(i)A", priorities: ["JP\(i)"])]) }
        #expect(try store.familyID(of: "EP1A1", level: .inpadoc) == first)
        // A patent claiming both priorities joins the two families under the older id.
        try store.upsert([record("WO3A1", priorities: ["US1", "US2"])])
        #expect(try store.familyID(of: "EP2A1", level: .inpadoc) == min(first, second))
        #expect(try store.familyMembers(min(first, second), level: .inpadoc) == ["EP1A1", "EP2A1", "WO3A1"])
    }

    @Test("FAM_ID is the DOCDB family id sources give; other families get local ids above every DOCDB id")
    func sourceIDs() throws {
        let store = try PatentStore(directory: try temporaryDirectory("source-ids"))
        try store.upsert([record("EP1A1", family: "50474376"), record("US2B2", family: "50474376"),
                          record("JP3A", priorities: ["US10"]), record("CN4A", family: "not-a-number")])
        #expect(try store.familyID(of: "EP1A1", level: .docdb) == 50474376)
        #expect(try store.familyMembers(50474376, level: .docdb) == ["EP1A1", "US2B2"])
        for pn in ["JP3A", "CN4A"] {
            let id = try #require(try store.familyID(of: pn, level: .docdb))
            #expect(id > FamilyLevel.localIDBase && id <= FamilyLevel.localIDLimit, "\(pn)")
        }
        // INPADOC and extended families are numbered locally: no source gives their ids.
        let inpadoc = try #require(try store.familyID(of: "EP1A1", level: .inpadoc))
        #expect(inpadoc > FamilyLevel.localIDBase)
    }

    @Test("a DOCDB family joined through identical priorities is named by the id most members carry, the smallest on a tie")
    func preferredSourceID() throws {
        let store = try PatentStore(directory: try temporaryDirectory("preferred"))
        try store.upsert([record("EP1A1", family: "90", priorities: ["US1"]), record("US2B2", family: "80", priorities: ["US1"])])
        #expect(try store.familyID(of: "US2B2", level: .docdb) == 80)
        try store.upsert([record("WO3A1", family: "90", priorities: ["US1"])])
        #expect(try store.familyMembers(90, level: .docdb) == ["EP1A1", "US2B2", "WO3A1"])
        // Re-imported with another priority, US2B2 leaves and keeps its own id; the rest stay 90.
        try store.upsert([record("US2B2", family: "80", priorities: ["US7"])])
        #expect(try store.familyMembers(80, level: .docdb) == ["US2B2"])
        #expect(try store.familyMembers(90, level: .docdb) == ["EP1A1", "WO3A1"])
        #expect(FamilyMaintenance.preferredSourceID([5: 2, 3: 2, 9: 1]) == 3)
        #expect(FamilyMaintenance.preferredSourceID([:]) == nil)
    }

    @Test("every spelling of one priority (original, DOCDB, epodoc, PCT) links one INPADOC family")
    func prioritySpellings() throws {
        let store = try PatentStore(directory: try temporaryDirectory("spellings"))
        try store.upsert([record("EP1A1", priorities: ["US201261713164P"]), record("US2A1", priorities: ["US61/713,164"]),
                          record("WO3A1", priorities: ["WOPCT/US2013/064470"]), record("CN4A", priorities: ["US2013064470W"]),
                          record("JP5A", priorities: ["WO2013US64470"]), record("KR6A", priorities: ["US14168236"])])
        let us = try store.familyID(of: "EP1A1", level: .inpadoc)
        #expect(try store.familyID(of: "US2A1", level: .inpadoc) == us)
        let pct = try #require(try store.familyID(of: "WO3A1", level: .inpadoc))
        #expect(try store.familyMembers(pct, level: .inpadoc) == ["CN4A", "JP5A", "WO3A1"])
        #expect(try store.familyID(of: "KR6A", level: .inpadoc) != us)
    }

    @Test("re-importing a patent with changed priorities splits its old family")
    func split() throws {
        let store = try PatentStore(directory: try temporaryDirectory("split"))
        try store.upsert([record("EP1A1", priorities: ["US1"]), record("WO3A1", priorities: ["US1", "US2"]),
                          record("EP2A1", priorities: ["US2"])])
        let joined = try #require(try store.familyID(of: "EP1A1", level: .inpadoc))
        #expect(try store.familyMembers(joined, level: .inpadoc).count == 3)
        try store.upsert([record("WO3A1", priorities: ["US2"])])
        let a = try #require(try store.familyID(of: "EP1A1", level: .inpadoc))
        let b = try #require(try store.familyID(of: "EP2A1", level: .inpadoc))
        #expect(a != b)
        #expect(try store.familyID(of: "WO3A1", level: .inpadoc) == b)
        #expect([a, b].contains(joined))
    }
}

@Suite("Store migrations")
struct StoreMigrationTests {
    /// A data folder whose store the migrations up to `version` made, filled by `fill`
    /// as that version would have, and closed.
    func storeOfVersion(_ version: String, _ name: String, _ fill: (Database) throws -> Void) throws -> String {
        let directory = try temporaryDirectory(name)
        let old = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite"))
        try PatentStore.migrator.migrate(old, upTo: version)
        try old.write(fill)
        try old.close()
        return directory
    }

    func insertRow(_ db: Database, _ patent: Patent) throws {
        try db.execute(sql: """
            INSERT INTO patent (pn, office, kind, type, coverage, record, revision, updated_at)
            VALUES (?, 'EP', 'A1', 'application', 0, ?, 1, 0)
            """, arguments: [patent.pn, PatentStore.encode(patent).record])
    }

    @Test("a store with link keys per level keeps its families, and new patents join them through the old keys")
    func familyLinksOnce() throws {
        // The schema and rows as the version before "v3 family links once" wrote them.
        let existing = record("EP1A1", priorities: ["US1"], application: "EP5")
        let directory = try storeOfVersion("v2 revision-pn index", "links-once") { db in
            try insertRow(db, existing)
            for level in FamilyLevel.allCases {
                for key in level.keys(of: existing) {
                    try db.execute(sql: "INSERT INTO family_key (level, key, pn) VALUES (?, ?, 'EP1A1')", arguments: [level.rawValue, key])
                }
                try db.execute(sql: "INSERT INTO family (pn, level, family_id) VALUES ('EP1A1', ?, 41)", arguments: [level.rawValue])
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('revision', 1), ('family-1', 41), ('family-2', 41), ('family-3', 41)")
        }

        let store = try PatentStore(directory: directory)
        let links = try store.pool.read { db in try Row.fetchAll(db, sql: "SELECT key, pn FROM family_link ORDER BY key") }
        #expect(links.map { $0["key"] as String } == FamilyLevel.extended.keys(of: existing).sorted())
        // INPADOC through the shared priority, EXTEND through the application, DOCDB not at all.
        try store.upsert([record("WO2A1", priorities: ["US1", "JP9"]), record("US3A1", priorities: ["EP5"])])
        // (v5 moved the local id 41 above the base.)
        let id = FamilyLevel.localIDBase + 41
        #expect(try store.familyMembers(id, level: .inpadoc) == ["EP1A1", "WO2A1"])
        #expect(try store.familyMembers(id, level: .extended) == ["EP1A1", "US3A1", "WO2A1"])
        #expect(try store.familyMembers(id, level: .docdb) == ["EP1A1"])
    }

    @Test("v6: keys an earlier version wrote from DOCDB spellings are written anew, and their patents join the other spellings")
    func canonicalNumbers() throws {
        let existing = record("EP1A1", priorities: ["US201261713164P"])
        // Keys as "v5" wrote them: the DOCDB spelling kept its year and kind letter.
        let directory = try storeOfVersion("v5 family ids from sources", "canonical-numbers") { db in
            try insertRow(db, existing)
            for key in ["S:US201261713164P", "P:US201261713164P", "A:US201261713164P"] {
                try db.execute(sql: "INSERT INTO family_link (key, pn) VALUES (?, 'EP1A1')", arguments: [key])
            }
            for level in FamilyLevel.allCases {
                try db.execute(sql: "INSERT INTO family (pn, level, family_id) VALUES ('EP1A1', ?, ?)",
                               arguments: [level.rawValue, FamilyLevel.localIDBase + 1])
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('revision', 1), ('family-1', 1), ('family-2', 1), ('family-3', 1)")
        }
        let store = try PatentStore(directory: directory)
        let keys = try store.pool.read { db in try String.fetchAll(db, sql: "SELECT key FROM family_link WHERE pn = 'EP1A1' ORDER BY key") }
        #expect(keys == ["A:US61713164", "P:US61713164", "S:US61713164"])
        try store.upsert([record("US2A1", priorities: ["US61/713,164"])])
        #expect(try store.familyMembers(FamilyLevel.localIDBase + 1, level: .docdb) == ["EP1A1", "US2A1"])
    }

    @Test("v5: local family ids move above the base, DOCDB families take their sources' id, and new ids follow on")
    func familyIDsFromSources() throws {
        // Family 3 (EP1A1 and US2B2, both given DOCDB family 7; JP4A given 8) and family 4 (CN5A, none).
        let patents = [record("EP1A1", family: "7", priorities: ["US1"]), record("US2B2", family: "7", priorities: ["US1"]),
                       record("JP4A", family: "8", priorities: ["US1"]), record("CN5A")]
        let directory = try storeOfVersion("v4 no application index", "ids-from-sources") { db in
            for (patent, id) in zip(patents, [3, 3, 3, 4]) {
                try insertRow(db, patent)
                for key in FamilyLevel.extended.keys(of: patent) {
                    try db.execute(sql: "INSERT INTO family_link (key, pn) VALUES (?, ?)", arguments: [key, patent.pn])
                }
                for level in FamilyLevel.allCases {
                    try db.execute(sql: "INSERT INTO family (pn, level, family_id) VALUES (?, ?, ?)",
                                   arguments: [patent.pn, level.rawValue, id])
                }
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('revision', 1), ('family-1', 4), ('family-2', 4), ('family-3', 4)")
        }

        let store = try PatentStore(directory: directory)
        #expect(try store.familyMembers(7, level: .docdb) == ["EP1A1", "JP4A", "US2B2"])
        #expect(try store.familyID(of: "CN5A", level: .docdb) == FamilyLevel.localIDBase + 4)
        #expect(try store.familyID(of: "JP4A", level: .inpadoc) == FamilyLevel.localIDBase + 3)
        #expect(try store.familyID(of: "CN5A", level: .extended) == FamilyLevel.localIDBase + 4)
        try store.upsert([record("KR6A")])
        #expect(try store.familyID(of: "KR6A", level: .docdb) == FamilyLevel.localIDBase + 5)
    }
}
