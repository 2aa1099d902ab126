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
        // The first version's JSON for a few records, as a store from then holds them.
        try DatabaseQueue(path: (directory as NSString).appendingPathComponent("patents.sqlite")).write { db in
            for row in try Row.fetchAll(db, sql: "SELECT rowid, record FROM patent WHERE rowid % 5 = 0") {
                let patent = try PatentRecordCodec.decode(row[1] as Data)
                try db.execute(sql: "UPDATE patent SET record = ? WHERE rowid = ?", arguments: [try JSONEncoder().encode(patent), row[0] as Int64])
            }
            // A run killed after committing the batches up to rowid 12: those are converted, the position kept.
            for row in try Row.fetchAll(db, sql: "SELECT rowid, record FROM patent WHERE rowid <= 12") {
                try db.execute(sql: "UPDATE patent SET record = ? WHERE rowid = ?",
                               arguments: [PatentRecordCodec.encode(try PatentRecordCodec.decode(row[1] as Data)), row[0] as Int64])
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('record_form_position', 12)")
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
