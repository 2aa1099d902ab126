import Foundation
import PatentTestSupport
import Testing

/// `patents migrate --database …` on the private server.
@Suite("patents migrate")
struct MigrateCommandTests {
    private func patents(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runCapturing(builtPatentsBinary, arguments)
    }

    @Test("migrate applies the schema, then finds it up to date; a bad URL or an unreachable server is an error")
    func migrate() throws {
        let url = try PostgresServer.shared.createDatabase()
        let first = try patents(["migrate", "--database", url])
        #expect(first.status == 0 && first.output == "applied: v1-accounts-and-tasks, v2-patent-feed, v3-original-pdfs, v4-index-generations, v5-cluster-nodes\n", "\(first)")
        let second = try patents(["migrate", "--database", url])
        #expect(second.status == 0 && second.output == "the schema is up to date\n", "\(second)")
        let bad = try patents(["migrate", "--database", "postgresql://patents:hunter2@127.0.0.1/"])
        #expect(bad.status != 0 && bad.errors.contains("the path must name one database") && !bad.errors.contains("hunter2"), "\(bad)")
        let gone = try patents(["migrate", "--database", "postgresql://patents@127.0.0.1:1/nowhere"])
        #expect(gone.status != 0 && gone.errors.contains("cannot migrate the shared database"), "\(gone)")
    }
}
