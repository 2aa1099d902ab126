import Foundation
import GRDB
import PatentModel

/// A record with its stored form prepared off the writer thread.
public struct PreparedRecord: Sendable {
    public let patent: Patent
    public let encoded: PatentRecordCodec.Stored?
    public init(patent: Patent, encoded: PatentRecordCodec.Stored?) {
        self.patent = patent
        self.encoded = encoded
    }
}

/// What one committed batch changed.
public struct UpsertSummary: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    /// Records identical to what was stored: nothing written.
    public var unchanged = 0
    public init() {}
}

extension PatentStore {
    /// Writes a batch in one transaction: each record is merged into the stored one
    /// of the same PN (see `Patent.merge`), then the families of everything touched
    /// are recomputed incrementally.
    @discardableResult
    public func upsert(_ patents: [Patent]) throws -> UpsertSummary {
        try upsert(patents.map { PreparedRecord(patent: $0, encoded: nil) })
    }

    /// As `upsert(_:)`, with records already encoded (in parallel, by the
    /// importer); the encoding is used when the record is stored unchanged by merging.
    @discardableResult
    public func upsert(_ prepared: [PreparedRecord]) throws -> UpsertSummary {
        try pool.write { db in try Self.write(prepared, in: db).summary }
    }

    /// The body of `upsert` inside a transaction already open; also the batch's revision
    /// (nil when nothing changed).
    static func write(_ prepared: [PreparedRecord], in db: Database) throws -> (summary: UpsertSummary, revision: Int?) {
        let patents = prepared.map(\.patent)
        var encodedByPN: [String: PatentRecordCodec.Stored] = [:]
        var occurrences: [String: Int] = [:]
        for record in prepared {
            occurrences[record.patent.pn, default: 0] += 1
            if let encoded = record.encoded { encodedByPN[record.patent.pn] = encoded }
        }
        var summary = UpsertSummary()
        // Each PN's stored record as it was before this batch, then the merge of
        // every incoming record for it in order; only a final change is written.
        var original: [String: Patent?] = [:]
        var merged: [String: Patent] = [:]
        var seen: [String] = []
        let storedRecord = try db.cachedStatement(sql: "SELECT record, text FROM patent WHERE pn = ?")
        for incoming in patents {
            let pn = incoming.pn
            if original[pn] == nil {
                original[pn] = .some(try Row.fetchOne(storedRecord, arguments: [pn]).map { try Self.decode($0[0], text: $0[1]) })
                seen.append(pn)
            }
            if var current = merged[pn] ?? original[pn]! {
                current.merge(incoming)
                merged[pn] = current
            } else {
                merged[pn] = incoming
            }
        }
        var order: [String] = []
        var changed: [String: Patent] = [:]
        for pn in seen {
            let record = merged[pn]!
            switch original[pn]! {
            case .none: summary.inserted += 1
            case .some(let stored) where stored == record: summary.unchanged += 1; continue
            case .some: summary.updated += 1
            }
            order.append(pn)
            changed[pn] = record
        }
        guard !order.isEmpty else { return (summary, nil) }
        let revision = try Self.nextValue(db, counter: "revision")
        let statement = try rowStatement(db)
        for (i, pn) in order.enumerated() {
            if i > 0, i == order.count / 2 { FaultPoint.reach(.storeBatchHalfWritten) }
            let patent = changed[pn]!
            let isFresh = original[pn]! == nil && occurrences[pn] == 1
            let encoded = (isFresh ? encodedByPN[pn] : nil) ?? Self.encode(patent)
            try writeRow(statement, patent, record: encoded.record, text: encoded.text, revision: revision)
        }
        try FamilyMaintenance(db: db, revision: revision).update(order.map { ($0, changed[$0]!) })
        return (summary, revision)
    }

    /// The statement writing a patent's row (`writeRow`).
    static func rowStatement(_ db: Database) throws -> Statement {
        try db.cachedStatement(sql: """
            INSERT INTO patent (pn, office, kind, type, publication_date, application_key, original_language,
                                coverage, record, text, revision, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(pn) DO UPDATE SET office = excluded.office, kind = excluded.kind, type = excluded.type,
                publication_date = excluded.publication_date, application_key = excluded.application_key,
                original_language = excluded.original_language, coverage = excluded.coverage,
                record = excluded.record, text = excluded.text, revision = excluded.revision, updated_at = excluded.updated_at
            """)
    }

    /// Writes a patent's row: its stored form and the columns statistics and lookups read.
    static func writeRow(_ statement: Statement, _ patent: Patent, record: Data, text: Data?, revision: Int) throws {
        try statement.execute(arguments: [
            patent.pn, patent.publication.office, patent.publication.kind, patent.type.rawValue,
            patent.publicationDate?.value, patent.application?.key, patent.resolvedOriginalLanguage,
            Coverage(patent).rawValue, record, text, revision, Date().timeIntervalSince1970,
        ])
    }

    static func nextValue(_ db: Database, counter: String) throws -> Int {
        try db.cachedStatement(sql: "INSERT INTO counter (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1")
            .execute(arguments: [counter])
        return try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE name = ?"), arguments: [counter]) ?? 1
    }
}

/// Which parts of the record are present, as bits, for fast statistics.
public struct Coverage: OptionSet, Sendable, CaseIterable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let title = Coverage(rawValue: 1 << 0)
    public static let abstract = Coverage(rawValue: 1 << 1)
    public static let claims = Coverage(rawValue: 1 << 2)
    public static let description = Coverage(rawValue: 1 << 3)
    public static let applicants = Coverage(rawValue: 1 << 4)
    public static let inventors = Coverage(rawValue: 1 << 5)
    public static let ipc = Coverage(rawValue: 1 << 6)
    public static let cpc = Coverage(rawValue: 1 << 7)
    public static let priorities = Coverage(rawValue: 1 << 8)
    public static let application = Coverage(rawValue: 1 << 9)
    public static let familyID = Coverage(rawValue: 1 << 10)
    public static let citations = Coverage(rawValue: 1 << 11)
    public static let translations = Coverage(rawValue: 1 << 12)

    public static let allCases: [Coverage] = [.title, .abstract, .claims, .description, .applicants, .inventors, .ipc,
                                              .cpc, .priorities, .application, .familyID, .citations, .translations]

    public var name: String {
        switch self {
        case .title: "title"
        case .abstract: "abstract"
        case .claims: "claims"
        case .description: "description"
        case .applicants: "applicants"
        case .inventors: "inventors"
        case .ipc: "IPC"
        case .cpc: "CPC"
        case .priorities: "priorities"
        case .application: "application"
        case .familyID: "DOCDB family id"
        case .citations: "citations"
        case .translations: "translated text"
        default: "?"
        }
    }

    public init(_ patent: Patent) {
        var bits: Coverage = []
        if !patent.titles.isEmpty { bits.insert(.title) }
        if !patent.abstracts.isEmpty { bits.insert(.abstract) }
        if patent.claims.contains(where: { !$0.claims.isEmpty }) { bits.insert(.claims) }
        if patent.descriptions.contains(where: { !$0.paragraphs.isEmpty }) { bits.insert(.description) }
        if !patent.applicants.isEmpty || !patent.assignees.isEmpty { bits.insert(.applicants) }
        if !patent.inventors.isEmpty { bits.insert(.inventors) }
        if !patent.ipc.isEmpty { bits.insert(.ipc) }
        if !patent.cpc.isEmpty { bits.insert(.cpc) }
        if !patent.priorities.isEmpty { bits.insert(.priorities) }
        if patent.application != nil { bits.insert(.application) }
        if patent.docdbFamilyID != nil { bits.insert(.familyID) }
        if !patent.citations.isEmpty { bits.insert(.citations) }
        let languages = Set(patent.titles.map(\.language) + patent.abstracts.map(\.language) + patent.claims.map(\.language))
        if languages.count > 1 { bits.insert(.translations) }
        self = bits
    }
}
