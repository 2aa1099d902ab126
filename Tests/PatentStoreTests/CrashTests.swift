import Foundation
import GRDB
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentStore

/// `kill -9` of a running `patents import` must leave the store readable, with only
/// whole batches in it (every stored patent decodes and has its families), and a
/// second import must complete it.
@Suite("Crash safety")
struct CrashTests {
    @Test("kill -9 at random moments during an import", .enabled(if: FileManager.default.isExecutableFile(atPath: builtPatentsBinary)))
    func killDuringImport() throws {
        for round in 0..<8 {
            let data = try temporaryDirectory("crash-\(round)")
            try runPatentsAndKill(["import", "--data", data, fixtures], pause: 100_000...1_500_000)

            let store = try PatentStore(directory: data)
            try store.pool.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                for row in try Row.fetchAll(db, sql: "SELECT pn, record FROM patent") {
                    let pn: String = row["pn"]
                    let patent = try PatentStore.decode(row["record"])
                    #expect(patent.pn == pn)
                }
                let withoutFamilies = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM patent p WHERE (SELECT COUNT(*) FROM family f WHERE f.pn = p.pn) != 3
                    """)
                #expect(withoutFamilies == 0)
            }
            _ = try Importer(store: store).run(paths: [fixtures])
            #expect(try store.count() == 86)
            try? FileManager.default.removeItem(atPath: data)
        }
    }
}
