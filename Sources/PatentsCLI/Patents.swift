/// PatentsCLI: the `patents` command — import, index, search, export, serve and the
/// tools around them. Each subcommand is a thin door onto a
/// library module; the work happens there.
import ArgumentParser
import Logging
import PatentAccounts
import PatentPostgres
import PatentTasks
import Foundation
import PatentStore

@main
struct Patents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patents",
        abstract: "A self-hostable patent search and bulk-export server (PatSnap Connect export API).",
        subcommands: [ServeCommand.self, ImportCommand.self, IndexCommand.self, SearchCommand.self, ExportCommand.self,
                      ShowCommand.self, StatsCommand.self, ClientsCommand.self, TasksCommand.self, FieldsCommand.self,
                      GenerateCommand.self, MigrateCommand.self, SegmentsCommand.self,
                      ParseCommand.self, BenchCommand.self]
    )

    /// Every file and folder the program creates — the data folder, the databases and
    /// their journals, index segments, export files, the signing key — is readable by
    /// its owner only (folders 0700, files 0600): patents, clients and ledgers are not
    /// for other local users.
    static func main() async {
        umask(0o077)
        TestHooks.installCrashPoint()
        await main(nil)
    }
}

/// `--data DIR`: the one folder that holds the store, the index and the export files.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder (store, index, exports).")
    var data: String = "./patents-data"

    /// The store in the data folder; records an earlier version wrote are converted on
    /// opening, with the progress on standard error.
    func openStore() throws -> PatentStore {
        var reported = 0
        return try PatentStore(directory: data) { walked, total in
            guard walked == total || walked - reported >= 50_000 else { return }
            reported = walked
            FileHandle.standardError.write(Data("converting stored records to the current form: \(walked) of \(total)\n".utf8))
        }
    }
}

/// The data folder, and where clients, prices and export tasks are kept: the folder's
/// `tasks.sqlite`, or with `--database` a PostgreSQL database several nodes share
/// (`serve`, `clients`, `fields`, `tasks`).
struct ServiceOptions: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Option(help: "A PostgreSQL database several nodes share for clients, prices and export tasks: postgresql://user[:password]@host[:port]/database (default: the data folder's tasks.sqlite).")
    var database: String?

    @Option(help: "Folder of the export files (default: DATA/exports); with --database, a folder every node reaches at the same path.")
    var exports: String?

    /// Clients, keys, prices and the ledger: in the shared database or the data folder.
    func openAccounts() throws -> AccountStore {
        try serviceStorage(node: "cli").accounts
    }

    /// The export service's storage: the shared database's (schema migrated first), or the
    /// data folder's.
    func serviceStorage(node: String, lease: TimeInterval = 30) throws -> ServiceStorage {
        let exports = exports ?? (data.data as NSString).appendingPathComponent("exports")
        guard let database else {
            var storage = try ServiceStorage.local(directory: data.data)
            storage.exportsDirectory = exports
            return storage
        }
        return try serviceStorage(on: openSharedDatabase(database), node: node, lease: lease)
    }

    /// The export service's storage on an open shared database (its schema migrated first).
    func serviceStorage(on shared: SharedDatabase, node: String, lease: TimeInterval) throws -> ServiceStorage {
        let exports = exports ?? (data.data as NSString).appendingPathComponent("exports")
        do {
            return try shared.serviceStorage(exportsDirectory: exports, node: node, lease: lease)
        } catch {
            throw refused("error: cannot use the shared database: \(String(reflecting: error))")
        }
    }
}

/// How a writing command (`import`, `index`) meets another one on the same data folder.
struct WriterOptions: ParsableArguments {
    @Flag(help: "Fail at once, naming the holder, when another import or index is writing the data folder (default: wait).")
    var noWait = false

    @Option(help: "Memory for building the index, in MB: a segment is written whenever it holds this much (the build stays within about twice this).")
    var memory = 512

    func validate() throws {
        guard (16...1_048_576).contains(memory) else { throw ValidationError("--memory must be 16 to 1048576 (MB), not \(memory)") }
    }

    /// Takes the data folder's write lock; while waiting, says on stderr who holds it.
    func lock(_ data: String, command: String) throws -> DataFolderLock {
        do {
            return try DataFolderLock(directory: data, command: command, wait: !noWait) { holder in
                let who = holder.map(\.description) ?? "another process"
                FileHandle.standardError.write(Data("waiting: the data folder is being written by \(who)\n".utf8))
            }
        } catch let failure as DataFolderLock.Failure {
            throw refused("error: \(failure.description)")
        }
    }
}

/// A refusal of a command: `line` on stderr, nothing changed, exit status 2.
func refused(_ line: String) -> ExitCode {
    FileHandle.standardError.write(Data((line + "\n").utf8))
    return ExitCode(2)
}
