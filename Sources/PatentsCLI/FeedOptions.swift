import ArgumentParser
import Foundation
import Logging
import PatentIngest
import PatentPostgres
import PatentStore

/// `--database` for the commands that read or write patents (`import`, `index`, `stats`,
/// `export`): the data folder is then a replica of the patents in the shared database.
/// `import` publishes what it reads there (and every node's `serve` follows it); the others
/// first bring the folder's store and index up to the database (under the folder's writer
/// lock), then do what they do on one machine.
struct FeedOptions: ParsableArguments {
    @Option(help: "A PostgreSQL database several nodes share (postgresql://user[:password]@host[:port]/database): patents are published there and the data folder follows it.")
    var database: String?

    /// The feed of `--database`, or nil without one.
    func openFeed() throws -> PatentFeed? {
        try database.map { try openSharedDatabase($0).patentFeed() }
    }

    /// Brings the store of the data folder up to the feed, under the folder's writer lock
    /// (waited for), and with `index` its index too; nothing without `--database`.
    func follow(_ options: DataOptions, writer: WriterOptions, index: Bool) throws {
        guard let feed = try openFeed() else { return }
        let lock = try writer.lock(options.data, command: "follow the shared database")
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openStore()
        try catchUp(store, on: feed)
        if index { try updateIndex(store: store, data: options.data, memoryMB: writer.memory) }
    }

    /// Applies what the feed holds beyond `store`, saying how much on standard error.
    func catchUp(_ store: PatentStore, on feed: PatentFeed) throws {
        let applied = try feed.catchUpBlocking(store)
        if applied > 0 { FileHandle.standardError.write(Data("took \(applied) patents from the shared database\n".utf8)) }
    }
}

/// The pool on a shared database, its connection checked; a precise error otherwise.
func openSharedDatabase(_ url: String) throws -> SharedDatabase {
    var logger = Logger(label: "patents.postgres")
    logger.logLevel = .error
    do {
        return try SharedDatabase.open(url: url, logger: logger)
    } catch let error as DatabaseURLError {
        throw ValidationError(error.description)
    } catch {
        throw refused("error: cannot use the shared database: \(String(reflecting: error))")
    }
}
