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
public struct StoredRecord: Sendable {
    public let pn: String
    public let revision: Int
    public let record: Data
    public let families: [FamilyLevel: Int]

    public func decoded() throws -> StoredPatent {
        StoredPatent(patent: try PatentStore.decode(record), revision: revision, families: families)
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
        try fetchRecords(sql: "SELECT pn, record, revision FROM patent WHERE revision > ? ORDER BY revision, pn LIMIT ?",
                         arguments: [revision, limit])
    }

    /// Patents after a (revision, PN) position in (revision, PN) order: a page of a
    /// walk through everything written since an index commit.
    public func changes(afterRevision revision: Int, pn: String, limit: Int) throws -> [StoredPatent] {
        try changedRecords(afterRevision: revision, pn: pn, limit: limit).map { try $0.decoded() }
    }

    /// The same rows undecoded.
    public func changedRecords(afterRevision revision: Int, pn: String, limit: Int) throws -> [StoredRecord] {
        try fetchRecords(sql: """
            SELECT pn, record, revision FROM patent WHERE (revision, pn) > (?, ?)
            ORDER BY revision, pn LIMIT ?
            """, arguments: [revision, pn, limit])
    }

    /// The stored patents among `pns`, keyed by PN (numbers the store lacks are absent).
    public func patents(_ pns: [String]) throws -> [String: StoredPatent] {
        let found = try fetch(sql: "SELECT pn, record, revision FROM patent WHERE pn IN (SELECT value FROM json_each(?))",
                              arguments: [Self.jsonArray(pns)])
        return Dictionary(found.map { ($0.patent.pn, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func fetch(sql: String, arguments: StatementArguments) throws -> [StoredPatent] {
        try fetchRecords(sql: sql, arguments: arguments).map { try $0.decoded() }
    }

    private func fetchRecords(sql: String, arguments: StatementArguments) throws -> [StoredRecord] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            // The page's families in one query rather than one per patent.
            var families: [String: [FamilyLevel: Int]] = [:]
            let pns: [String] = rows.map { $0["pn"] }
            for family in try Row.fetchAll(db, sql: "SELECT pn, level, family_id FROM family WHERE pn IN (SELECT value FROM json_each(?))",
                                           arguments: [Self.jsonArray(pns)]) {
                if let level = FamilyLevel(rawValue: family["level"]) { families[family["pn"], default: [:]][level] = family["family_id"] }
            }
            return rows.map { row in
                let pn: String = row["pn"]
                return StoredRecord(pn: pn, revision: row["revision"], record: row["record"], families: families[pn] ?? [:])
            }
        }
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
