import Foundation
import Logging
import PatentIndex
import PatentObjectStore
import PostgresNIO

/// Index generations published to object storage, with PostgreSQL as their metastore
/// (Quickwit's split states; many machines, part 2, `../shared/design/SCALE-OUT.md`).
///
/// A generation's files are immutable, so each is stored once as an object named by its
/// content — `segments/<sha256>/<upload id>` — and recorded in `index_object` with its hash
/// and state: **staged** (uploaded, or being uploaded, by a publisher), **published** (named
/// by a live generation), **marked** (named by none since `marked_at`), **deleting** (the
/// janitor is removing it). `publish` uploads what the store lacks, then in one
/// transaction records the generation (its manifest and the object of each file), marks
/// what no live generation names any more — each shard keeps its newest `keep` generations,
/// so a node still reading the previous one is not cut off — and NOTIFYs `channel`. `pull`
/// copies a generation into a folder, checking every file's SHA-256, and installs its
/// manifest last. `clean` deletes objects marked (or left staged by a publisher that died)
/// longer ago than a grace period.
///
/// Races: a publisher reuses only **published** objects, and its transaction revives the
/// objects it names (`marked` → `published`) — the janitor turns an object `deleting` only
/// while it is marked and old, under the row's lock, so either the publisher revived it first
/// or the publisher finds it gone, and uploads its file again under a new key.
public struct IndexPublication: Sendable {
    let database: SharedDatabase
    public let store: any ObjectStore
    /// Generations each shard keeps published.
    public var keep = 2
    /// The channel each publication is announced on (payload `shard:generation`, several
    /// comma-separated when the shards' staged generations go live together).
    public static let channel = "index_published"

    public init(database: SharedDatabase, store: any ObjectStore) {
        self.database = database
        self.store = store
    }

    /// A generation as the metastore holds it.
    public struct Generation: Sendable, Equatable {
        public var id: Int
        public var shard: Int
        public var manifest: [UInt8]
        /// File name → object key.
        public var files: [String: String]
    }

    /// What `publish` did.
    public struct Published: Sendable, Equatable {
        public var generation: Int
        /// Files uploaded; the others were stored already.
        public var uploaded: [String]
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case noIndex(String)
        case noGeneration(shard: Int)
        case damagedObject(key: String, expected: String, received: String)

        public var description: String {
            switch self {
            case .noIndex(let path): "no index in \(path) to publish"
            case .noGeneration(let shard): "no generation of shard \(shard) is published"
            case .damagedObject(let key, let expected, let received):
                "object \(key) holds other bytes than were published (SHA-256 \(received), expected \(expected))"
            }
        }
    }

    // MARK: - Publishing

    /// Publishes the current generation of the index in `path` as shard `shard`'s newest.
    /// The caller keeps the index from changing meanwhile (the data folder's writer lock).
    /// `revision`: the patents' feed revision the index was built from, when it follows the
    /// feed (`IndexJobs` build no generation already built from as far). `live` false: the
    /// generation is staged — recorded, not pulled — until `IndexJobs` makes every shard's
    /// staged generation live in one transaction.
    public func publish(indexAt path: String, shard: Int = 0, revision: Int? = nil, live: Bool = true) async throws -> Published {
        guard let current = try GenerationCopy.current(in: path) else { throw Failure.noIndex(path) }
        var hashes: [String: (sha256: String, size: Int)] = [:]
        for name in current.files {
            let file = (path as NSString).appendingPathComponent(name)
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
            hashes[name] = (try sha256Hex(ofFile: file), size)
        }
        var uploaded: Set<String> = []
        for attempt in 1...3 {
            var keys = try await publishedKeys(Set(hashes.values.map(\.sha256)))
            for (name, file) in hashes.sorted(by: { $0.key < $1.key }) where keys[file.sha256] == nil {
                let key = "segments/\(file.sha256)/\(UUID().uuidString.lowercased())"
                try await stage(key: key, sha256: file.sha256, size: file.size)
                try await store.upload(file: (path as NSString).appendingPathComponent(name), to: key)
                keys[file.sha256] = key
                uploaded.insert(name)
            }
            let files = hashes.mapValues { keys[$0.sha256]! }
            if let generation = try await commit(shard: shard, manifest: current.manifest, files: files, revision: revision, live: live) {
                return Published(generation: generation, uploaded: uploaded.sorted())
            }
            database.logger.notice("an object named by the generation was being deleted; publishing again",
                                   metadata: ["attempt": "\(attempt)"])
        }
        throw ObjectStoreError.refused(operation: "publish", key: path, status: 409, code: "ObjectsVanished",
                                       message: "objects kept being deleted while publishing")
    }

    /// A published object for each hash that has one.
    private func publishedKeys(_ hashes: Set<String>) async throws -> [String: String] {
        let rows = try await database.client.query("""
            SELECT sha256, min(key) FROM index_object WHERE state = 'published' AND sha256 = ANY(\(Array(hashes))) GROUP BY sha256
            """, logger: database.logger)
        var keys: [String: String] = [:]
        for try await (sha256, key) in rows.decode((String, String).self) { keys[sha256] = key }
        return keys
    }

    /// Records an object about to be uploaded, so that the janitor removes it should this
    /// publisher die before naming it in a generation.
    private func stage(key: String, sha256: String, size: Int) async throws {
        try await database.client.query("""
            INSERT INTO index_object (key, sha256, size, state) VALUES (\(key), \(sha256), \(Int64(size)), 'staged')
            """, logger: database.logger)
    }

    /// The generation's transaction; nil (nothing done) when an object it names is gone.
    private func commit(shard: Int, manifest: [UInt8], files: [String: String], revision: Int?, live: Bool) async throws -> Int? {
        let keys = Array(Set(files.values))
        let filesJSON = String(decoding: try JSONSerialization.data(withJSONObject: files, options: [.sortedKeys]), as: UTF8.self)
        do {
            return try await database.transaction { connection -> Int in
                let revived = try await connection.query("""
                    UPDATE index_object SET state = 'published', marked_at = NULL
                    WHERE key = ANY(\(keys)) AND state IN ('staged', 'published', 'marked') RETURNING key
                    """, logger: database.logger)
                var count = 0
                for try await _ in revived { count += 1 }
                guard count == keys.count else { throw Vanished() }
                let inserted = try await connection.query("""
                    INSERT INTO index_generation (shard, manifest, files, revision, live_at) VALUES (\(Int32(clamping: shard)),
                        \(ByteBuffer(bytes: manifest)), \(filesJSON)::jsonb, \(revision.map(Int64.init)),
                        CASE WHEN \(live) THEN now() END) RETURNING id
                    """, logger: database.logger)
                var generation = 0
                for try await id in inserted.decode(Int64.self) { generation = Int(id) }
                try await prune(shards: [shard], on: connection)
                if live { try await Self.announce(["\(shard):\(generation)"], on: connection, logger: database.logger) }
                return generation
            }
        } catch is Vanished {
            return nil
        }
    }

    /// Keeps each of `shards` its newest `keep` live generations and the staged ones newer
    /// than its newest live one; marks the objects no generation names any more.
    func prune(shards: [Int], on connection: PostgresConnection) async throws {
        for shard in Set(shards) {
            let shard = Int32(clamping: shard)
            try await connection.query("""
                DELETE FROM index_generation g WHERE g.shard = \(shard) AND (
                    (g.live_at IS NOT NULL AND g.id NOT IN (SELECT id FROM index_generation
                        WHERE shard = \(shard) AND live_at IS NOT NULL ORDER BY id DESC LIMIT \(Int64(max(1, keep)))))
                    OR (g.live_at IS NULL AND g.id < (SELECT coalesce(max(id), 0) FROM index_generation
                        WHERE shard = \(shard) AND live_at IS NOT NULL)))
                """, logger: database.logger)
        }
        try await connection.query("""
            UPDATE index_object SET state = 'marked', marked_at = now()
            WHERE state = 'published' AND NOT EXISTS
                (SELECT 1 FROM index_generation g, jsonb_each_text(g.files) f WHERE f.value = index_object.key)
            """, logger: database.logger)
    }

    /// NOTIFYs the generations that went live (`shard:generation`, comma-separated).
    static func announce(_ generations: [String], on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(channel), \(generations.joined(separator: ",")))", logger: logger)
    }

    // MARK: - Reading

    /// Shard `shard`'s newest live generation (or its newest up to `id`), nil when none is live.
    public func generation(shard: Int = 0, id: Int? = nil) async throws -> Generation? {
        let rows = try await database.client.query("""
            SELECT id, shard, manifest, files::text FROM index_generation
            WHERE shard = \(Int32(clamping: shard)) AND live_at IS NOT NULL AND id <= \(id.map(Int64.init) ?? Int64.max)
            ORDER BY id DESC LIMIT 1
            """, logger: database.logger)
        for try await (id, shard, manifest, files) in rows.decode((Int64, Int32, ByteBuffer, String).self) {
            let map = try JSONSerialization.jsonObject(with: Data(files.utf8)) as? [String: String] ?? [:]
            return Generation(id: Int(id), shard: Int(shard), manifest: Array(buffer: manifest), files: map)
        }
        return nil
    }

    /// The id of shard `shard`'s newest live generation, nil when none is.
    public func newestGeneration(shard: Int) async throws -> Int? {
        let rows = try await database.client.query("SELECT max(id) FROM index_generation WHERE shard = \(Int32(clamping: shard)) AND live_at IS NOT NULL",
                                                   logger: database.logger)
        for try await id in rows.decode(Int64?.self) { return id.map(Int.init) }
        return nil
    }

    /// Copies shard `shard`'s newest generation into the index folder `path` and installs it:
    /// files already there with the right content are kept, the others downloaded (each
    /// checked against its SHA-256; a damaged object throws and installs nothing). Returns
    /// the generation installed and the files downloaded.
    public func pull(shard: Int = 0, into path: String) async throws -> (generation: Int, downloaded: [String]) {
        guard let generation = try await generation(shard: shard) else { throw Failure.noGeneration(shard: shard) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var downloaded: [String] = []
        for (name, key) in generation.files.sorted(by: { $0.key < $1.key }) {
            let expected = String(key.split(separator: "/").dropFirst().first ?? "")
            let file = (path as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: file), (try? sha256Hex(ofFile: file)) == expected { continue }
            let staging = file + ".pulled"
            let received = try await store.download(key, to: staging)
            guard received == expected else {
                try? FileManager.default.removeItem(atPath: staging)
                throw Failure.damagedObject(key: key, expected: expected, received: received)
            }
            guard rename(staging, file) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file]) }
            downloaded.append(name)
        }
        try GenerationCopy.install(manifest: generation.manifest, generation: generation.id, in: path)
        return (generation.id, downloaded)
    }

    // MARK: - Janitor

    /// Deletes the objects marked, or left staged, longer ago than `grace`: first turned
    /// `deleting` (committed), then removed from the store, then their rows — a janitor that
    /// dies part way leaves rows `deleting`, which the next run finishes. Returns the keys
    /// removed.
    @discardableResult
    public func clean(grace: Duration) async throws -> [String] {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        let rows = try await database.client.query("""
            UPDATE index_object SET state = 'deleting'
            WHERE (state = 'marked' AND marked_at < now() - make_interval(secs => \(seconds)))
               OR (state = 'staged' AND created_at < now() - make_interval(secs => \(seconds)))
            """, logger: database.logger)
        for try await _ in rows {}
        let deleting = try await database.client.query("SELECT key FROM index_object WHERE state = 'deleting' ORDER BY key",
                                                       logger: database.logger)
        var keys: [String] = []
        for try await key in deleting.decode(String.self) { keys.append(key) }
        for key in keys {
            try await store.delete(key)
            try await database.client.query("DELETE FROM index_object WHERE key = \(key) AND state = 'deleting'",
                                            logger: database.logger)
        }
        return keys
    }

    private struct Vanished: Error {}
}
