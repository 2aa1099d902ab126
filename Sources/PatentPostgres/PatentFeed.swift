import Foundation
import Logging
import PatentModel
import PatentStore
import PostgresNIO

/// The patents' change feed on the shared database (many machines): every patent's stored
/// row — record, text, family ids — under the feed revision that last wrote it
/// (`patent_record`), and the head revision (`patent_feed`). Each node's data folder is a
/// replica that follows it (`catchUp`), so a patent imported through any node reaches every
/// node's store and index (`FeedFollower`).
///
/// Publishers take turns on the `patent_feed` row's lock, so revisions commit in the order
/// they are numbered: a follower reading "after revision r" never misses a lower one
/// committed later. Each publication is announced with `NOTIFY` on `channel`; followers
/// also poll, so a missed notification only delays them.
public struct PatentFeed: Sendable {
    let database: SharedDatabase
    /// The channel every publication is announced on (its payload: the new revision).
    public static let channel = "patents_changed"
    /// Rows read and applied at a time while catching up.
    public var pageSize = 500
    /// Bytes of records and texts published in one statement, at most (a larger row goes alone).
    public var chunkBytes = 16 << 20

    public init(database: SharedDatabase) {
        self.database = database
    }

    /// The highest revision published (0: none).
    public func head() async throws -> Int {
        try await heads().records
    }

    /// The highest revisions published of records and of original PDFs.
    public func heads() async throws -> (records: Int, originals: Int) {
        let rows = try await database.client.query("SELECT head, originals_head FROM patent_feed WHERE id = 1",
                                                   logger: database.logger)
        for try await (records, originals) in rows.decode((Int64, Int64).self) { return (Int(records), Int(originals)) }
        return (0, 0)
    }

    /// How many patents the feed holds.
    public func recordCount() async throws -> Int {
        let rows = try await database.client.query("SELECT count(*) FROM patent_record", logger: database.logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Applies to `store` every row published after the revision it follows, a page at a
    /// time (each page one store transaction); the rows applied. A row the feed rewrote
    /// meanwhile arrives with its newer revision, later in the same walk or the next.
    @discardableResult
    public func catchUp(_ store: PatentStore) async throws -> Int {
        try await catchUp(store, on: nil)
    }

    private func catchUp(_ store: PatentStore, on connection: PostgresConnection?) async throws -> Int {
        var counters: [String: Int] = [:]
        let records = try await walk(after: try store.followedRevision(), pageSize: pageSize) { cursor in
            let (rows, published) = try await page(after: cursor, on: connection)
            counters = published
            return rows
        } key: { ($0.revision, $0.pn) } apply: { rows, followed in
            try store.applyReplicated(rows, counters: counters, followed: followed)
        }
        return try await records + catchUpOriginals(store, on: connection)
    }

    /// Walks rows after revision `followed` in (revision, PN) order, a page at a time;
    /// `apply` gets each page with the revision it completes — a full page may end inside a
    /// revision, so only what it surely holds is followed (rows applied twice are written
    /// the same way twice); an empty page completes the cursor's revision. The rows applied.
    func walk<Row>(after followed: Int, pageSize: Int, page: ((revision: Int, pn: String?)) async throws -> [Row],
                   key: (Row) -> (revision: Int, pn: String), apply: ([Row], Int) throws -> Void) async throws -> Int {
        var followed = followed
        var cursor: (revision: Int, pn: String?) = (followed, nil)
        var applied = 0
        while true {
            let rows = try await page(cursor)
            guard let last = rows.last.map(key) else {
                if cursor.revision > followed { try apply([], cursor.revision) }
                return applied
            }
            followed = max(followed, rows.count < pageSize ? last.revision : last.revision - 1)
            try apply(rows, followed)
            applied += rows.count
            cursor = (last.revision, last.pn)
        }
    }

    /// Rows after `cursor` in (revision, PN) order — after all of its revision when it names
    /// no PN — with the family-id counters published so far.
    private func page(after cursor: (revision: Int, pn: String?),
                      on connection: PostgresConnection?) async throws -> ([StoredRecord], [String: Int]) {
        let query: PostgresQuery = """
            SELECT pn, revision, record, text, docdb_family, inpadoc_family, extended_family,
                   (SELECT family_counters FROM patent_feed WHERE id = 1)
            FROM patent_record WHERE revision > \(cursor.revision) OR (revision = \(cursor.revision) AND pn > \(cursor.pn))
            ORDER BY revision, pn LIMIT \(pageSize)
            """
        let rows = try await run(query, on: connection)
        var records: [StoredRecord] = []
        var counters = ""
        for try await (pn, revision, record, text, docdb, inpadoc, extended, published)
            in rows.decode((String, Int64, ByteBuffer, ByteBuffer?, Int64?, Int64?, Int64?, String).self) {
            var families: [FamilyLevel: Int] = [:]
            families[.docdb] = docdb.map(Int.init)
            families[.inpadoc] = inpadoc.map(Int.init)
            families[.extended] = extended.map(Int.init)
            records.append(StoredRecord(pn: pn, revision: Int(revision), record: Data(buffer: record),
                                        text: text.map { Data(buffer: $0) }, families: families))
            counters = published
        }
        return (records, Self.decodeCounters(counters))
    }

    /// Runs `query` on `connection` (inside the publisher's transaction) or on the pool.
    func run(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> PostgresRowSequence {
        if let connection { return try await connection.query(query, logger: database.logger) }
        return try await database.client.query(query, logger: database.logger)
    }

    /// Publishes a batch through `store` (`patents import --database`). Under the feed's
    /// lock, `store` is caught up, the batch is tried on it (`trialUpsert`: merged into the
    /// stored records, families recomputed with the whole collection in view, rolled back),
    /// and the rows it changes are written under the next revision with the family-id
    /// counters, announced by NOTIFY; once that commits, `store` applies them as any
    /// follower does. Killed before the commit, nothing is published; after it, the rows
    /// reach `store` at its next catch-up. A batch that changes nothing publishes nothing.
    public func publish(_ batch: [PreparedRecord], through store: PatentStore) async throws -> UpsertSummary {
        let (summary, published) = try await database.transaction { connection in
            var head = 0
            var counters: [String: Int] = [:]
            let feed = try await connection.query("SELECT head, family_counters FROM patent_feed WHERE id = 1 FOR UPDATE",
                                                  logger: database.logger)
            for try await (value, text) in feed.decode((Int64, String).self) {
                head = Int(value)
                counters = Self.decodeCounters(text)
            }
            try await catchUp(store, on: connection)
            let trial = try store.trialUpsert(batch)
            guard !trial.rows.isEmpty else { return (trial.summary, (rows: [StoredRecord](), counters: counters, revision: head)) }
            let revision = head + 1
            let rows = trial.rows.map {
                StoredRecord(pn: $0.pn, revision: revision, record: $0.record, text: $0.text, families: $0.families)
            }
            try await write(rows, revision: revision, on: connection)
            counters.merge(trial.counters) { max($0, $1) }
            try await connection.query("""
                UPDATE patent_feed SET head = \(Int64(revision)), family_counters = \(Self.encodeCounters(counters)) WHERE id = 1
                """, logger: database.logger)
            try await connection.query("SELECT pg_notify(\(Self.channel), \(String(revision)))", logger: database.logger)
            return (trial.summary, (rows: rows, counters: counters, revision: revision))
        }
        if !published.rows.isEmpty {
            try store.applyReplicated(published.rows, counters: published.counters, followed: published.revision)
        }
        return summary
    }

    /// Writes `rows` under `revision`: one statement per chunk of rows (up to `chunkBytes` of
    /// records and texts, and 1,000 rows), their columns sent as arrays and unnested — a
    /// statement per row made publishing cost a round trip per patent. Arrays cannot hold
    /// NULL here, so a missing text travels as an empty value with a flag, and a missing
    /// family id as `Int64.min` (no family id is negative).
    private func write(_ rows: [StoredRecord], revision: Int, on connection: PostgresConnection) async throws {
        var start = 0
        while start < rows.count {
            var end = start
            var bytes = 0
            while end < rows.count, end - start < 1_000, end == start || bytes < chunkBytes {
                bytes += rows[end].record.count + (rows[end].text?.count ?? 0)
                end += 1
            }
            let chunk = rows[start..<end]
            let absent = Int64.min
            let family = { (row: StoredRecord, level: FamilyLevel) in row.families[level].map(Int64.init) ?? absent }
            try await connection.query("""
                INSERT INTO patent_record (pn, revision, record, text, docdb_family, inpadoc_family, extended_family)
                SELECT pn, \(Int64(revision)), record, CASE WHEN has_text THEN text END,
                       NULLIF(docdb, \(absent)), NULLIF(inpadoc, \(absent)), NULLIF(extended, \(absent))
                FROM unnest(\(chunk.map(\.pn)), \(chunk.map { ByteBuffer(bytes: $0.record) }),
                            \(chunk.map { ByteBuffer(bytes: $0.text ?? Data()) }), \(chunk.map { $0.text != nil }),
                            \(chunk.map { family($0, .docdb) }), \(chunk.map { family($0, .inpadoc) }),
                            \(chunk.map { family($0, .extended) }))
                    AS row(pn, record, text, has_text, docdb, inpadoc, extended)
                ON CONFLICT (pn) DO UPDATE SET revision = excluded.revision, record = excluded.record, text = excluded.text,
                    docdb_family = excluded.docdb_family, inpadoc_family = excluded.inpadoc_family,
                    extended_family = excluded.extended_family
                """, logger: database.logger)
            start = end
        }
    }

    /// Runs until cancelled, calling `wake` at each publication announced (LISTEN on a
    /// connection of its own).
    public func listen(_ wake: @escaping @Sendable () -> Void) async throws {
        try await database.client.withConnection { connection in
            let notifications = try await connection.listen(Self.channel)
            for try await _ in notifications { wake() }
        }
    }

    /// `catchUp`, waited for (for the commands; never on an event loop).
    @discardableResult
    public func catchUpBlocking(_ store: PatentStore) throws -> Int {
        try BlockingBridge.shared.wait { try await catchUp(store) }
    }

    /// `publishOriginal`, waited for (the importer).
    public func publishOriginalBlocking(_ pdf: [UInt8], pn: String, through store: PatentStore) throws {
        try BlockingBridge.shared.wait { try await publishOriginal(pdf, pn: pn, through: store) }
    }

    /// `publish`, waited for (the importer's writer thread).
    public func publishBlocking(_ batch: [PreparedRecord], through store: PatentStore) throws -> UpsertSummary {
        try BlockingBridge.shared.wait { try await publish(batch, through: store) }
    }

    static func decodeCounters(_ text: String) -> [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(text.utf8))) ?? [:]
    }

    static func encodeCounters(_ counters: [String: Int]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(counters)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension SharedDatabase {
    /// The patents' feed, the schema migrated first (blocking; for the commands, at start).
    public func patentFeed() throws -> PatentFeed {
        try BlockingBridge.shared.wait { [self] in _ = try await migrate() }
        return PatentFeed(database: self)
    }
}
