import Foundation
import PatentTestSupport
import PostgresNIO
import Testing
@testable import PatentPostgres

/// The shared database on a private PostgreSQL server (`PostgresServer`): its schema
/// migrations, and export claims with leases and fencing.
@Suite("Shared database on PostgreSQL")
struct SharedDatabaseTests {
    /// A migrated database of its own.
    static func migrated() async throws -> SharedDatabase {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase())
        try await database.migrate()
        return database
    }

    @Test("a --database value names which part is wrong, never the password", arguments: [
        ("mysql://u@h/db", "the scheme must be postgresql://"),
        ("postgresql://h/db", "no user name"),
        ("postgresql://u:secret@h", "the path must name one database"),
        ("postgresql://u:secret@h/a/b", "the path must name one database"),
        ("postgresql://u@h:0/db", "port 0 out of range"),
    ])
    func badURLs(url: String, problem: String) {
        #expect(throws: DatabaseURLError.self) { try SharedDatabase.address(url) }
        do {
            _ = try SharedDatabase.address(url)
        } catch {
            #expect(error.problem == problem)
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("a URL's parts: host, port (5432 when absent), user, password, database")
    func goodURL() throws {
        #expect(try SharedDatabase.address("postgresql://ann:pw@db.example:6432/patents")
                == .init(host: "db.example", port: 6432, user: "ann", password: "pw", database: "patents"))
        #expect(try SharedDatabase.address("postgres://ann@10.0.0.5/p")
                == .init(host: "10.0.0.5", port: 5432, user: "ann", password: nil, database: "p"))
    }

    @Test("migrate creates the schema once; run again, and by nodes at once, it applies nothing more")
    func migrations() async throws {
        let url = try PostgresServer.shared.createDatabase()
        let nodes = try (0..<3).map { _ in try SharedDatabase(url: url) }
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for node in nodes { group.addTask { try await node.migrate() } }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        // Each migration applied exactly once, by whichever node took its lock first.
        #expect(applied.sorted() == SharedDatabase.migrations.map(\.id).sorted())
        #expect(try await nodes[0].migrate() == [])
        #expect(try await nodes[1].appliedMigrations() == SharedDatabase.migrations.map(\.id))
        var tables: [String] = []
        for try await name in try await nodes[0].client.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").decode(String.self) {
            tables.append(name)
        }
        #expect(tables == ["access_token", "api_key", "client", "export_task", "export_task_result", "field_level", "index_generation",
                           "index_job", "index_object", "ledger",
                           "level_price", "node", "patent_feed", "patent_original", "patent_record", "schema_migration", "signing_key"])
        for node in nodes { await node.close() }
    }
}
