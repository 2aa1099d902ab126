import Foundation
import PatentIndex
import PatentIngest
import PatentObjectStore
import PatentStore
import PatentTestSupport
import PostgresNIO
import Testing
@testable import PatentPostgres

/// Index generations published to a real S3 service (SeaweedFS) with PostgreSQL as their
/// metastore: a node pulls exactly the publisher's files, unchanged files are stored once,
/// the janitor removes what no live generation names, and damage is caught by SHA-256.
@Suite("Index generations on object storage")
struct IndexPublicationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// A data folder whose store and index grow as fixture folders are imported.
    struct Publisher {
        let data: String
        let store: PatentStore
        var index: String { (data as NSString).appendingPathComponent("index") }

        init() throws {
            data = try temporaryDirectory("publisher")
            store = try PatentStore(directory: data)
        }

        /// Imports a fixture folder and updates the index (rebuilt whole with `rebuild`).
        func add(_ folder: String, rebuild: Bool = false) throws {
            _ = try Importer(store: store).run(paths: [IndexPublicationTests.fixtures + "/" + folder])
            var updater = try IndexUpdater(store: store, directory: index)
            updater.rebuild = rebuild
            try updater.update()
        }
    }

    static func publication() async throws -> IndexPublication {
        let database = try SharedDatabase(url: try PostgresServer.shared.createDatabase("segments"))
        try await database.migrate()
        let server = SeaweedServer.shared
        let store = try S3ObjectStore(.init(endpoint: server.endpoint, bucket: "patents-test",
                                            prefix: "index-" + UUID().uuidString.prefix(8).lowercased(),
                                            accessKey: server.accessKey, secretKey: server.secretKey))
        try await store.createBucket()
        return IndexPublication(database: database, store: store)
    }

    /// Each file of the index in `path` by name, as SHA-256, and its manifest with the mark
    /// a pull sets (`pulledGeneration`) taken off.
    static func contents(_ path: String) throws -> (files: [String: String], manifest: IndexManifest) {
        var hashes: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != "manifest.json" {
            hashes[name] = try sha256Hex(ofFile: (path as NSString).appendingPathComponent(name))
        }
        var manifest = try IndexSnapshot.open(directory: path).manifest
        manifest.pulledGeneration = nil
        return (hashes, manifest)
    }

    /// The same segment files, byte for byte, and the same manifest but for the pull's mark.
    static func sameIndex(_ a: String, _ b: String) throws -> Bool {
        let (x, y) = (try contents(a), try contents(b))
        return x.files == y.files && x.manifest == y.manifest
    }

    static func files(_ path: String) throws -> Set<String> {
        Set(try #require(try GenerationCopy.current(in: path)).files)
    }

    @Test("published generations are pulled byte for byte; unchanged files are stored once; the janitor keeps exactly the live ones")
    func publishPullAndClean() async throws {
        let publication = try await Self.publication()
        let publisher = try Publisher()
        try publisher.add("uspto-ice")
        let first = try Self.files(publisher.index)
        let published = try await publication.publish(indexAt: publisher.index)
        #expect(Set(published.uploaded) == first)

        let node = try temporaryDirectory("puller") + "/index"
        let pulled = try await publication.pull(into: node)
        #expect(pulled.generation == published.generation && Set(pulled.downloaded) == first)
        #expect(try Self.sameIndex(node, publisher.index), "the same files, the same bytes, the same manifest")
        #expect(try IndexSnapshot.open(directory: node).manifest.pulledGeneration == published.generation)
        // A pulled index follows the publisher's store, not one of this node's: `index` refuses it.
        let nodeStore = try PatentStore(directory: try temporaryDirectory("puller-store"))
        #expect(throws: IndexError.pulled(generation: published.generation)) {
            try IndexUpdater(store: nodeStore, directory: node).update()
        }
        #expect(try IndexSnapshot.open(directory: node).liveDocuments == IndexSnapshot.open(directory: publisher.index).liveDocuments)
        #expect(try IndexSnapshot.open(directory: node).liveDocuments > 0)

        // A second generation: only its new files travel, and the node drops the old ones.
        try publisher.add("epo-ops")
        let second = try Self.files(publisher.index)
        let republished = try await publication.publish(indexAt: publisher.index)
        #expect(Set(republished.uploaded) == second.subtracting(first))
        #expect(!republished.uploaded.isEmpty && republished.uploaded.count < second.count)
        let repulled = try await publication.pull(into: node)
        #expect(repulled.generation == republished.generation && Set(repulled.downloaded) == second.subtracting(first))
        #expect(try Self.sameIndex(node, publisher.index))

        // A third, rebuilt whole, and a fourth: the first two generations fall out of the two
        // kept; the objects only they named are marked, and the janitor removes them once
        // their grace has passed, not before.
        let secondKeys = Set(try #require(try await publication.generation()).files.values)
        try publisher.add("cnipa-jpo", rebuild: true)
        _ = try await publication.publish(indexAt: publisher.index)
        try publisher.add("marec")
        _ = try await publication.publish(indexAt: publisher.index)
        let live = try await Set([publication.generation(shard: 0, id: republished.generation + 1), publication.generation()]
            .compactMap { $0 }.flatMap { $0.files.values })
        #expect(try await publication.clean(grace: .seconds(3_600)) == [])
        let removed = try await publication.clean(grace: .seconds(0))
        #expect(Set(removed) == secondKeys.subtracting(live) && !removed.isEmpty)
        let stored = try await publication.store.list(prefix: "segments/").map(\.key)
        #expect(Set(stored) == live, "the store holds exactly the objects the two live generations name")
        #expect(stored.count == live.count)
        let last = try await publication.pull(into: node)
        #expect(!last.downloaded.isEmpty)
        #expect(try Self.sameIndex(node, publisher.index), "a rebuilt generation's same-named files replaced")
    }

    @Test("a damaged object is caught by its SHA-256 and nothing is installed")
    func damagedObjectIsRefused() async throws {
        let publication = try await Self.publication()
        let publisher = try Publisher()
        try publisher.add("uspto-legacy")
        _ = try await publication.publish(indexAt: publisher.index)
        let generation = try #require(try await publication.generation())
        let (name, key) = try #require(generation.files.first { $0.key.hasSuffix(".seg") })
        try await publication.store.upload(Array("not the segment".utf8), to: key)

        let node = try temporaryDirectory("puller") + "/index"
        do {
            _ = try await publication.pull(into: node)
            Issue.record("a damaged \(name) was installed")
        } catch let failure as IndexPublication.Failure {
            guard case .damagedObject(let damaged, let expected, _) = failure else { throw failure }
            #expect(damaged == key && key.contains(expected))
        }
        #expect(try GenerationCopy.current(in: node) == nil, "no manifest: the folder holds no index")
    }

    @Test("objects the janitor is deleting are never reused: the publisher uploads its files again")
    func deletingObjectsAreNotReused() async throws {
        let publication = try await Self.publication()
        let publisher = try Publisher()
        try publisher.add("uspto-legacy")
        let first = try await publication.publish(indexAt: publisher.index)
        let before = try #require(try await publication.generation())
        try await publication.database.client.query("UPDATE index_object SET state = 'deleting'")

        let second = try await publication.publish(indexAt: publisher.index)
        #expect(second.uploaded == first.uploaded, "every file uploaded again")
        let after = try #require(try await publication.generation())
        #expect(after.id == second.generation && Set(after.files.keys) == Set(before.files.keys))
        #expect(Set(after.files.values).isDisjoint(with: before.files.values), "new keys, none of those being deleted")
        #expect(Set(try await publication.clean(grace: .seconds(3_600))) == Set(before.files.values))
        let node = try temporaryDirectory("puller") + "/index"
        _ = try await publication.pull(into: node)
        #expect(try Self.sameIndex(node, publisher.index))
    }
}

/// `patents segments …` end to end, with a shared folder as the object store.
@Suite("patents segments")
struct SegmentsCommandTests {
    private func patents(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runCapturing(builtPatentsBinary, arguments)
    }

    @Test("publish, list, pull and clean from the command line; a bad location is refused precisely")
    func commands() throws {
        let url = try PostgresServer.shared.createDatabase("segments_cli")
        let objects = try temporaryDirectory("segments-folder")
        let data = try temporaryDirectory("segments-data")
        let imported = try patents(["import", "--data", data, IndexPublicationTests.fixtures + "/uspto-ice"])
        #expect(imported.status == 0, "\(imported)")
        let location = ["--database", url, "--segments", objects]

        let published = try patents(["segments", "publish", "--data", data] + location)
        let files = try IndexPublicationTests.files(data + "/index")
        #expect(published.status == 0 && published.output == "published generation 1 of shard 0: \(files.count) file(s) uploaded\n",
                "\(published)")
        let listed = try patents(["segments", "list"] + location)
        #expect(listed.output.hasPrefix("generation 1 of shard 0\n") && listed.output.split(separator: "\n").count == files.count + 1)

        let node = try temporaryDirectory("segments-node") + "/index"
        let pulled = try patents(["segments", "pull", "--into", node] + location)
        #expect(pulled.status == 0 && pulled.output == "installed generation 1 of shard 0: \(files.count) file(s) downloaded\n", "\(pulled)")
        #expect(try IndexPublicationTests.sameIndex(node, data + "/index"))
        let again = try patents(["segments", "pull", "--into", node] + location)
        #expect(again.output == "installed generation 1 of shard 0: 0 file(s) downloaded\n", "files already right are kept")
        let cleaned = try patents(["segments", "clean", "--grace", "0"] + location)
        #expect(cleaned.status == 0 && cleaned.output == "deleted 0 stored file(s)\n", "\(cleaned)")

        let missing = try patents(["segments", "pull", "--into", node, "--shard", "3"] + location)
        #expect(missing.status != 0 && missing.errors.contains("no generation of shard 3 is published"), "\(missing)")
        let bad = try patents(["segments", "list", "--database", url, "--segments", "s3://patents-index"])
        #expect(bad.status != 0 && bad.errors.contains("needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "\(bad)")
    }
}
