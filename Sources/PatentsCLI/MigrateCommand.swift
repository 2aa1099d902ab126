import ArgumentParser
import Foundation
import Logging
import PatentPostgres

/// `patents migrate --database postgresql://…`: creates or upgrades the shared database's
/// schema for running several nodes (each migration once, even with nodes starting at once).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the schema of a shared PostgreSQL database (for several nodes)."
    )

    @Option(help: "The shared database: postgresql://user[:password]@host[:port]/database.")
    var database: String

    func run() async throws {
        let shared: SharedDatabase
        var logger = Logger(label: "patents.postgres")
        logger.logLevel = .error
        do {
            shared = try SharedDatabase(url: database, logger: logger)
        } catch {
            throw ValidationError(error.description)
        }
        do {
            try await shared.checkConnection()
            let applied = try await shared.migrate()
            await shared.close()
            print(applied.isEmpty ? "the schema is up to date" : "applied: " + applied.joined(separator: ", "))
        } catch {
            await shared.close()
            throw MigrationFailed(description: "cannot migrate the shared database: \(String(reflecting: error))")
        }
    }
}

struct MigrationFailed: Error, CustomStringConvertible {
    let description: String
}
