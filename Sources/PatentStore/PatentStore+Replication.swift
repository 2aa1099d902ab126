import Foundation
import GRDB
import PatentModel

/// A store as a replica of a shared one (many machines, `--database`): the shared database
/// keeps every patent's stored row — record, text and family ids — under a feed revision
/// that grows with each published batch, and every node's store follows it in that order.
///
/// Families are computed once, by the node that publishes a batch (`trialUpsert`: the
/// batch merged and its families recomputed on a store caught up with the feed, then rolled
/// back), and replicas take them as published (`applyReplicated`): every node therefore
/// shows the same family ids, whatever order or batches it received the rows in.
extension PatentStore {
    /// The family-id counters a publisher hands on with its rows, so that a replica which
    /// later publishes never issues an id already given.
    static let familyCounters = FamilyLevel.allCases.map { "family-\($0.rawValue)" }

    /// The feed revision this store has applied (0: none).
    public func followedRevision() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'feed'") ?? 0 }
    }

    /// What a batch would write: it is merged and its families recomputed exactly as
    /// `upsert` does, then everything is rolled back. The rows are every patent the batch
    /// changed, the batch's own and those whose family ids it changed (their revision is
    /// this store's, to be replaced by the feed's); nil rows when nothing would change.
    public func trialUpsert(_ prepared: [PreparedRecord]) throws -> (summary: UpsertSummary, rows: [StoredRecord], counters: [String: Int]) {
        try pool.writeWithoutTransaction { db in
            var outcome: (summary: UpsertSummary, rows: [StoredRecord], counters: [String: Int]) = (UpsertSummary(), [], [:])
            try db.inTransaction(.immediate) {
                let (summary, revision) = try Self.write(prepared, in: db)
                outcome.summary = summary
                if let revision {
                    outcome.rows = try Self.fetchRecords(db, where: "revision = ? ORDER BY pn", arguments: [revision])
                    for name in Self.familyCounters {
                        if let value = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [name]) {
                            outcome.counters[name] = value
                        }
                    }
                }
                return .rollback
            }
            return outcome
        }
    }

    /// Writes rows published on the feed as they are — records, texts and family ids — with
    /// the family links their records give, raises the family-id counters to `counters`, and
    /// records `followed` as the feed revision applied; one transaction. The rows get a store
    /// revision of their own (the feed's when it is ahead, as on a node that only follows),
    /// so the index takes them up.
    public func applyReplicated(_ rows: [StoredRecord], counters: [String: Int], followed: Int) throws {
        try pool.write { db in
            if !rows.isEmpty {
                let current = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'revision'") ?? 0
                let revision = max(current + 1, rows.map(\.revision).max() ?? 0)
                try Self.raise(db, counter: "revision", to: revision, exactly: true)
                let statement = try Self.rowStatement(db)
                let dropFamilies = try db.cachedStatement(sql: "DELETE FROM family WHERE pn = ?")
                let addFamily = try db.cachedStatement(sql: "INSERT INTO family (pn, level, family_id) VALUES (?, ?, ?)")
                let dropLinks = try db.cachedStatement(sql: "DELETE FROM family_link WHERE pn = ?")
                let addLink = try db.cachedStatement(sql: "INSERT OR IGNORE INTO family_link (key, pn) VALUES (?, ?)")
                for row in rows {
                    let patent = try Self.decode(row.record, text: row.text)
                    guard patent.pn == row.pn else {
                        throw StoreError.replicatedRecordMismatch(pn: row.pn, recordPN: patent.pn)
                    }
                    try Self.writeRow(statement, patent, record: row.record, text: row.text, revision: revision)
                    try dropFamilies.execute(arguments: [row.pn])
                    for (level, id) in row.families { try addFamily.execute(arguments: [row.pn, level.rawValue, id]) }
                    try dropLinks.execute(arguments: [row.pn])
                    for key in FamilyLevel.extended.keys(of: patent) { try addLink.execute(arguments: [key, row.pn]) }
                }
            }
            for (name, value) in counters where Self.familyCounters.contains(name) {
                try Self.raise(db, counter: name, to: value, exactly: false)
            }
            try Self.raise(db, counter: "feed", to: followed, exactly: false)
        }
    }

    /// The originals' feed revision this store has applied (0: none).
    public func followedOriginalsRevision() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'feed-originals'") ?? 0 }
    }

    /// Saves original PDFs published on the feed (each durably), then records `followed`
    /// as the originals' revision applied: a crash in between saves them again.
    public func applyReplicatedOriginals(_ originals: [(pn: String, pdf: [UInt8])], followed: Int) throws {
        for original in originals { try saveOriginalPDF(original.pdf, pn: original.pn) }
        try pool.write { db in try Self.raise(db, counter: "feed-originals", to: followed, exactly: false) }
    }

    /// Sets a counter to `value` (`exactly`), or to the larger of it and its value.
    private static func raise(_ db: Database, counter: String, to value: Int, exactly: Bool) throws {
        try db.execute(sql: """
            INSERT INTO counter (name, value) VALUES (?, ?)
            ON CONFLICT(name) DO UPDATE SET value = \(exactly ? "excluded.value" : "max(value, excluded.value)")
            """, arguments: [counter, value])
    }
}

/// A store's refusal of what it was given.
public enum StoreError: Error, CustomStringConvertible {
    /// A replicated row's record names another publication than its row.
    case replicatedRecordMismatch(pn: String, recordPN: String)

    public var description: String {
        switch self {
        case .replicatedRecordMismatch(let pn, let recordPN):
            "the shared database's row \(pn) holds the record of \(recordPN): the feed is damaged"
        }
    }
}
