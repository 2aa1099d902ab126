import Foundation
import GRDB
import PatentModel

/// A stored patent with what the index needs besides the record.
public struct StoredPatent: Sendable {
    public let patent: Patent
    /// Grows with every write that touches the patent (its record or its families).
    public let revision: Int
    public let families: [FamilyLevel: Int]
}

/// A stored patent's row before its record is decoded (decoding is the costly part, so
/// the indexer does it on its worker threads).
public struct StoredRecord: Sendable, Equatable {
    public let pn: String
    public let revision: Int
    public let record: Data
    /// Claims and descriptions (record form 4), when read.
    public let text: Data?
    public let families: [FamilyLevel: Int]

    public init(pn: String, revision: Int, record: Data, text: Data?, families: [FamilyLevel: Int]) {
        self.pn = pn
        self.revision = revision
        self.record = record
        self.text = text
        self.families = families
    }

    /// The stored bytes read.
    public var size: Int { record.count + (text?.count ?? 0) }

    /// The record decoded; with `parts`, only those beyond the bibliographic data (for reading only).
    public func decoded(parts: PatentRecordCodec.Parts = .all) throws -> StoredPatent {
        StoredPatent(patent: try PatentStore.decode(record, text: text, parts: parts), revision: revision, families: families)
    }
}

extension PatentStore {
    /// The highest revision written so far (0 for an empty store).
    public func currentRevision() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'revision'") ?? 0 }
    }

    /// Patents written after `revision`, oldest revision first, at most `limit`.
    public func changes(after revision: Int, limit: Int) throws -> [StoredPatent] {
        try changedRecords(after: revision, limit: limit).map { try $0.decoded() }
    }

    /// The same rows undecoded.
    public func changedRecords(after revision: Int, limit: Int) throws -> [StoredRecord] {
        try fetchRecords(where: "revision > ? ORDER BY revision, pn LIMIT ?", arguments: [revision, limit])
    }

    /// Patents after a (revision, PN) position in (revision, PN) order: a page of a
    /// walk through everything written since an index commit.
    public func changes(afterRevision revision: Int, pn: String, limit: Int) throws -> [StoredPatent] {
        try changedRecords(afterRevision: revision, pn: pn, limit: limit).map { try $0.decoded() }
    }

    /// The same rows undecoded.
    public func changedRecords(afterRevision revision: Int, pn: String, limit: Int) throws -> [StoredRecord] {
        try fetchRecords(where: "(revision, pn) > (?, ?) ORDER BY revision, pn LIMIT ?", arguments: [revision, pn, limit])
    }

    /// The stored patents among `pns`, keyed by PN (numbers the store lacks are absent).
    /// With `parts`, only those parts beyond the bibliographic data are decoded: such
    /// patents are for reading (an export), never for writing back.
    public func patents(_ pns: [String], parts: PatentRecordCodec.Parts = .all) throws -> [String: StoredPatent] {
        let found = try fetchRecords(where: "pn IN (SELECT value FROM json_each(?))", arguments: [Self.jsonArray(pns)],
                                     text: !parts.isDisjoint(with: [.claims, .descriptions]))
            .map { try $0.decoded(parts: parts) }
        return Dictionary(found.map { ($0.patent.pn, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The patent rows matching `condition` (a WHERE clause, with its ORDER BY and LIMIT)
    /// with their family ids, in one statement read by column position: a correlated
    /// lookup per level instead of a second query whose rows are matched up by PN. The
    /// `text` column (claims, descriptions) is read only when asked for.
    private func fetchRecords(where condition: String, arguments: StatementArguments, text: Bool = true) throws -> [StoredRecord] {
        try pool.read { db in try Self.fetchRecords(db, where: condition, arguments: arguments, text: text) }
    }

    /// `fetchRecords` inside a transaction already open.
    static func fetchRecords(_ db: Database, where condition: String, arguments: StatementArguments,
                             text: Bool = true) throws -> [StoredRecord] {
        let levels = FamilyLevel.allCases
        let familyColumns = levels.map { "(SELECT family_id FROM family WHERE family.pn = patent.pn AND level = \($0.rawValue))" }
        let sql = "SELECT pn, record, revision, \(text ? "text" : "NULL"), \(familyColumns.joined(separator: ", ")) FROM patent WHERE \(condition)"
        var records: [StoredRecord] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            var families: [FamilyLevel: Int] = [:]
            for (offset, level) in levels.enumerated() {
                if let id = row[4 + offset] as Int? { families[level] = id }
            }
            records.append(StoredRecord(pn: row[0], revision: row[2], record: row[1], text: row[3], families: families))
        }
        return records
    }

    /// A JSON array of strings, for `IN (SELECT value FROM json_each(?))` with any number of values.
    static func jsonArray<S: Sequence<String>>(_ values: S) -> String {
        var out = "["
        var separator = ""
        for value in values {
            out += separator + "\""
            separator = ","
            // Publication numbers and link keys have nothing to escape: copied whole.
            if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                out += value
            } else {
                for scalar in value.unicodeScalars {
                    switch scalar {
                    case "\"": out += "\\\""
                    case "\\": out += "\\\\"
                    default:
                        if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                    }
                }
            }
            out += "\""
        }
        return out + "]"
    }

}
