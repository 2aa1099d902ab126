import Foundation
import PatentStore
import PostgresNIO

/// The offices' original PDFs on the feed (`patent_original`): numbered by a revision of
/// their own (`patent_feed.originals_head`, under the same row lock as the records), so a
/// pdf export written on any node takes the original imported through another.
extension PatentFeed {
    /// Originals read and saved at a time while catching up (each may be megabytes).
    static let originalsPageSize = 8

    /// Publishes an original PDF through `store`: under the feed's lock the store's
    /// originals catch up, the PDF is written under the next originals revision and
    /// announced; once committed, the store saves it as any follower does.
    public func publishOriginal(_ pdf: [UInt8], pn: String, through store: PatentStore) async throws {
        let revision = try await database.transaction { connection in
            var head = 0
            let feed = try await connection.query("SELECT originals_head FROM patent_feed WHERE id = 1 FOR UPDATE",
                                                  logger: database.logger)
            for try await value in feed.decode(Int64.self) { head = Int(value) }
            _ = try await catchUpOriginals(store, on: connection)
            let revision = head + 1
            try await connection.query("""
                INSERT INTO patent_original (pn, revision, pdf) VALUES (\(pn), \(Int64(revision)), \(ByteBuffer(bytes: pdf)))
                ON CONFLICT (pn) DO UPDATE SET revision = excluded.revision, pdf = excluded.pdf
                """, logger: database.logger)
            try await connection.query("UPDATE patent_feed SET originals_head = \(Int64(revision)) WHERE id = 1",
                                       logger: database.logger)
            try await connection.query("SELECT pg_notify(\(Self.channel), \("original " + String(revision)))",
                                       logger: database.logger)
            return revision
        }
        try store.applyReplicatedOriginals([(pn, pdf)], followed: revision)
    }

    /// Saves the originals published after those `store` followed; how many.
    func catchUpOriginals(_ store: PatentStore, on connection: PostgresConnection?) async throws -> Int {
        try await walk(after: try store.followedOriginalsRevision(), pageSize: Self.originalsPageSize) { cursor in
            let query: PostgresQuery = """
                SELECT pn, revision, pdf FROM patent_original
                WHERE revision > \(cursor.revision) OR (revision = \(cursor.revision) AND pn > \(cursor.pn))
                ORDER BY revision, pn LIMIT \(Self.originalsPageSize)
                """
            let rows = try await run(query, on: connection)
            var originals: [(pn: String, revision: Int, pdf: [UInt8])] = []
            for try await (pn, revision, pdf) in rows.decode((String, Int64, ByteBuffer).self) {
                originals.append((pn, Int(revision), Array(buffer: pdf)))
            }
            return originals
        } key: { ($0.revision, $0.pn) } apply: { originals, followed in
            try store.applyReplicatedOriginals(originals.map { ($0.pn, $0.pdf) }, followed: followed)
        }
    }
}
