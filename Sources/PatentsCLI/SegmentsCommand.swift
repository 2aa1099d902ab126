import ArgumentParser
import Foundation
import Logging
import PatentIndex
import PatentObjectStore
import PatentPostgres

/// `patents segments publish | pull | clean | list`: index generations in object storage
/// (S3-compatible, or a shared folder) with the shared database as their metastore
/// (`IndexPublication`; many machines, part 2). A node that builds the index publishes it;
/// others pull it instead of building their own.
struct SegmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Publish index generations to object storage, pull them, clean what no generation needs.",
        subcommands: [Publish.self, Pull.self, Clean.self, List.self]
    )

    /// Where generations are recorded and stored.
    struct Location: ParsableArguments {
        @Option(help: "The shared database: postgresql://user[:password]@host[:port]/database.")
        var database: String

        @Option(help: """
            Where segment files are stored: s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION] (credentials from \
            AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) or a folder every node reaches.
            """)
        var segments: String

        @Option(help: "The shard the generation belongs to.") var shard = 0

        func validate() throws {
            guard (0...65_535).contains(shard) else { throw ValidationError("--shard must be 0…65535, not \(shard)") }
        }

        /// Runs `body` on the publication (the schema migrated first); a failure is said precisely.
        func withPublication<T>(_ body: (IndexPublication) async throws -> T) async throws -> T {
            let store: any ObjectStore
            do {
                store = try ObjectStoreLocation.open(segments)
            } catch {
                throw ValidationError("--segments: \(error)")
            }
            let shared = try openSharedDatabase(database)
            do {
                _ = try await shared.migrate()
                let result = try await body(IndexPublication(database: shared, store: store))
                await shared.close()
                return result
            } catch {
                await shared.close()
                throw refused("error: \(String(reflecting: error))")
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the data folder's index as the shard's newest generation.")
        @OptionGroup var options: DataOptions
        @OptionGroup var writer: WriterOptions
        @OptionGroup var location: Location

        func run() async throws {
            let lock = try writer.lock(options.data, command: "segments publish")
            defer { withExtendedLifetime(lock) {} }
            let revision = try SegmentsCommand.builtRevision(options)
            let published = try await location.withPublication { publication in
                try await publication.publish(indexAt: indexDirectory(options.data), shard: location.shard, revision: revision)
            }
            print("published generation \(published.generation) of shard \(location.shard): \(published.uploaded.count) file(s) uploaded")
        }
    }

    /// The feed revision the index was built from: the store's, when the folder follows a
    /// feed and the index holds all of its store (else unknown: nil).
    static func builtRevision(_ data: DataOptions) throws -> Int? {
        let store = try data.openStore()
        let followed = try store.followedRevision()
        guard followed > 0, let manifest = try? IndexManifest.read(folder: indexDirectory(data.data)),
              manifest.storeRevision == (try store.currentRevision()) else { return nil }
        return followed
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the shard's newest generation into an index folder (each file checked by its SHA-256).")
        @OptionGroup var location: Location
        @Option(help: "The index folder to install the generation in (created when missing).") var into: String

        func run() async throws {
            let pulled = try await location.withPublication { publication in
                try await publication.pull(shard: location.shard, into: into)
            }
            print("installed generation \(pulled.generation) of shard \(location.shard): \(pulled.downloaded.count) file(s) downloaded")
        }
    }

    struct Clean: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete stored segment files no live generation names, once their grace period has passed.")
        @OptionGroup var location: Location
        @Option(help: "Seconds an unneeded file is kept (nodes may still be reading it).") var grace = 3_600

        func validate() throws {
            guard (0...31_536_000).contains(grace) else { throw ValidationError("--grace must be 0…31536000 seconds, not \(grace)") }
        }

        func run() async throws {
            let removed = try await location.withPublication { publication in
                try await publication.clean(grace: .seconds(grace))
            }
            print("deleted \(removed.count) stored file(s)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the shard's newest generation and its files.")
        @OptionGroup var location: Location

        func run() async throws {
            let generation = try await location.withPublication { publication in
                try await publication.generation(shard: location.shard)
            }
            guard let generation else {
                print("no generation of shard \(location.shard) is published")
                return
            }
            print("generation \(generation.id) of shard \(generation.shard)")
            for (name, key) in generation.files.sorted(by: { $0.key < $1.key }) { print("  \(name)\t\(key)") }
        }
    }
}
