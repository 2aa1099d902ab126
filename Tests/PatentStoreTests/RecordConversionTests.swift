import Foundation
import GRDB
import PatentIngest
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentStore

/// A store an earlier version wrote (`Fixtures/stores/records-v2.sqlite`, form-2 records)
/// is converted in place when opened: nothing lost, resumable, checked, done once.
@Suite("Stored records converted in place")
struct RecordConversionTests {
    static let oldStore = (fixtures as NSString).appendingPathComponent("stores/records-v2.sqlite")
    static let sources = ["cnipa-jpo", "epo-ops", "epo-publication", "epo-tsv", "marec", "uspto-ppubs"].map { (fixtures as NSString).appendingPathComponent($0) }

    /// A copy of the old store in a data folder of its own.
    static func copyOfOldStore() throws -> String {
        let directory = try temporaryDirectory("old-store")
        try FileManager.default.copyItem(atPath: oldStore, toPath: (directory as NSString).appendingPathComponent("patents.sqlite"))
        return directory
    }

    /// Every record's first byte, by PN.
    static func forms(_ store: PatentStore) throws -> [String: UInt8] {
        try store.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT pn, record FROM patent").map { row in
                (row[0] as String, (row[1] as Data).first ?? 0)
            })
        }
    }

    @Test("an old store opens converted: every record in the current form, equal to importing its sources today")
    func convertedOnOpen() throws {
        let directory = try Self.copyOfOldStore()
        let before = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite")).read { db in
            try Row.fetchAll(db, sql: "SELECT pn, revision FROM patent ORDER BY pn").map { "\($0[0] as String) \($0[1] as Int)" }
        }
        #expect(before.count == 32)
        var reports: [(Int, Int)] = []
        let store = try PatentStore(directory: directory) { reports.append(($0, $1)) }
        #expect(reports.last.map { $0 == (32, 32) } == true, "progress ends at every record: \(reports)")
        #expect(Set(try Self.forms(store).values) == [PatentRecordCodec.formatByte])
        // Revisions are untouched: the content did not change.
        #expect(try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT pn, revision FROM patent ORDER BY pn").map { "\($0[0] as String) \($0[1] as Int)" }
        } == before)

        let today = try PatentStore(directory: try temporaryDirectory("today"))
        _ = try Importer(store: today).run(paths: Self.sources)
        let expected = try today.changes(after: 0, limit: 1_000)
        #expect(expected.count == 32)
        let converted = try store.patents(expected.map(\.patent.pn))
        for patent in expected {
            #expect(converted[patent.patent.pn]?.patent == patent.patent, "\(patent.patent.pn)")
            #expect(converted[patent.patent.pn]?.families == patent.families, "\(patent.patent.pn)")
        }
        // Opening again walks nothing.
        var again: [(Int, Int)] = []
        _ = try PatentStore(directory: directory) { again.append(($0, $1)) }
        #expect(again.isEmpty)
    }

    @Test("a conversion stopped after some batches carries on from its last commit; JSON records are converted too")
    func resumes() throws {
        let directory = try Self.copyOfOldStore()
        // The schema as this version has it (what the opening does first), the records as
        // before: a run killed after some batches.
        let queue = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite"))
        try PatentStore.migrator.migrate(queue)
        // The first version's JSON for a few records, as a store from then holds them.
        try queue.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT rowid, record FROM patent WHERE rowid % 5 = 0") {
                let patent = try PatentRecordCodec.decode(row[1] as Data)
                try db.execute(sql: "UPDATE patent SET record = ? WHERE rowid = ?", arguments: [try JSONEncoder().encode(patent), row[0] as Int64])
            }
            // A run killed after committing the batches up to rowid 12: those are converted, the position kept.
            for row in try Row.fetchAll(db, sql: "SELECT rowid, record FROM patent WHERE rowid <= 12") {
                let stored = PatentRecordCodec.encode(try PatentRecordCodec.decode(row[1] as Data))
                try db.execute(sql: "UPDATE patent SET record = ?, text = ? WHERE rowid = ?", arguments: [stored.record, stored.text, row[0] as Int64])
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES (?, 12)", arguments: [PatentStore.conversionPositionCounter])
            // A position an earlier conversion (to form 3) left does not count.
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('record_form_position', 30)")
        }
        let jsonCount = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite")).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent WHERE hex(substr(record, 1, 1)) = '7B'") ?? 0
        }
        #expect(jsonCount >= 4)
        var reports: [(Int, Int)] = []
        let store = try PatentStore(directory: directory) { reports.append(($0, $1)) }
        #expect(reports.first.map { $0.0 > 12 } == true, "the walk starts after the committed batches: \(reports)")
        #expect(reports.last.map { $0 == (32, 32) } == true)
        #expect(Set(try Self.forms(store).values) == [PatentRecordCodec.formatByte])
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("claims and descriptions end up in the text column, and form-3 records (all sections in one value) are converted")
    func textApart() throws {
        let directory = try Self.copyOfOldStore()
        let path = (directory as NSString).appendingPathComponent("patents.sqlite")
        // Form 3 for the first record with claims but no citations: form 4's record and text
        // sections in one value under one mask.
        let queue = try DatabaseQueue(path: path)
        try PatentStore.migrator.migrate(queue)
        let form3Row: Int64? = try queue.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT rowid, record FROM patent ORDER BY rowid") {
                let patent = try PatentRecordCodec.decode(row[1] as Data)
                guard !patent.claims.isEmpty, patent.citations.isEmpty else { continue }
                let stored = PatentRecordCodec.encode(patent)
                let text = try #require(stored.text)
                let form3 = Data([0x03, stored.record[1] | text[1]]) + stored.record.dropFirst(2) + text.dropFirst(2)
                #expect(try PatentRecordCodec.decode(form3) == patent)
                try db.execute(sql: "UPDATE patent SET record = ? WHERE rowid = ?", arguments: [form3, row[0] as Int64])
                // As a store the form-3 version (commit 89e996e) had converted: marked, its position past the last row.
                try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('record_form', 3), ('record_form_position', 1000)")
                return row[0] as Int64
            }
            return nil
        }
        #expect(form3Row != nil)
        let store = try PatentStore(directory: directory)
        let withText = try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent WHERE text IS NOT NULL") ?? 0
        }
        let full = try store.patents(try store.pool.read { db in try String.fetchAll(db, sql: "SELECT pn FROM patent") })
        #expect(withText == full.values.filter { !$0.patent.claims.isEmpty || !$0.patent.descriptions.isEmpty }.count)
        #expect(withText == 19)
        #expect(Set(try Self.forms(store).values) == [PatentRecordCodec.formatByte])
        // A bibliographic read leaves claims and descriptions undecoded; a full read has them.
        let pns = try store.pool.read { db in try String.fetchAll(db, sql: "SELECT pn FROM patent WHERE text IS NOT NULL") }
        let bibliographic = try store.patents(pns, parts: [.abstracts])
        #expect(bibliographic.count == 19)
        #expect(bibliographic.values.allSatisfy { $0.patent.claims.isEmpty && $0.patent.descriptions.isEmpty })
        #expect(bibliographic.values.allSatisfy { $0.patent.titles == full[$0.patent.pn]?.patent.titles })
    }

    @Test("a damaged record is left as it is: the store opens and the other records are converted")
    func damagedRecordStays() throws {
        let directory = try Self.copyOfOldStore()
        let damaged = Data([0x02, 0xFF, 0xFF])
        let pn = try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite")).write { db in
            let pn = try String.fetchOne(db, sql: "SELECT pn FROM patent WHERE rowid = 7")!
            try db.execute(sql: "UPDATE patent SET record = ? WHERE rowid = 7", arguments: [damaged])
            return pn
        }
        let store = try PatentStore(directory: directory)
        let forms = try Self.forms(store)
        #expect(forms[pn] == 0x02)
        #expect(forms.filter { $0.value == PatentRecordCodec.formatByte }.count == 31)
        #expect(throws: (any Error).self) { _ = try store.patent(pn) }
    }

    @Test("a store made today needs no conversion, and an import keeps it so")
    func newStoresAreCurrent() throws {
        let directory = try temporaryDirectory("new-store")
        var reports: [(Int, Int)] = []
        let store = try PatentStore(directory: directory) { reports.append(($0, $1)) }
        _ = try Importer(store: store).run(paths: [Self.sources[3]])
        _ = try PatentStore(directory: directory) { reports.append(($0, $1)) }
        #expect(reports.isEmpty)
        #expect(try Self.forms(store).values.allSatisfy { $0 == PatentRecordCodec.formatByte })
        #expect(try store.count() > 0)
    }
}
