import Foundation
import GRDB
import PatentModel

/// Converting the records an earlier version wrote (JSON, the sequential forms 1 and 2,
/// form 3 with claims and descriptions in the record) to the current form
/// (`PatentRecordCodec`) in place, when a store is opened.
///
/// The walk goes by rowid in batches, each one transaction that also records how far it
/// got: a kill loses at most the batch in flight, and the next open carries on from the
/// last committed batch. A record's content does not change, so neither does its revision
/// (the index is not rebuilt for it). When the walk ends the store is checked with
/// `PRAGMA integrity_check` and marked converted, so later opens cost one read.
extension PatentStore {
    /// The counter row holding the record form every record is in (absent: not known).
    static let recordFormCounter = "record_form"
    /// The counter row holding the last rowid a conversion to the current form committed
    /// (one per form, so that a conversion to a newer form starts from the first row).
    static var conversionPositionCounter: String { "record_form_\(PatentRecordCodec.formatByte)_position" }

    /// Converts the records not in the current form; returns how many it rewrote.
    /// `progress` gets (records walked, records in the store) after every batch.
    @discardableResult
    public func convertRecords(batch: Int = 2_000, progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        let current = Int(PatentRecordCodec.formatByte)
        let state = try pool.read { db in
            let position = try Self.counter(db, Self.conversionPositionCounter) ?? 0
            return (form: try Self.counter(db, Self.recordFormCounter), position: position,
                    total: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent") ?? 0,
                    walked: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent WHERE rowid <= ?", arguments: [position]) ?? 0)
        }
        if state.form == current { return 0 }
        var position = state.position
        var walked = state.walked
        var converted = 0
        while true {
            let (rows, last, rewritten) = try pool.write { db -> (Int, Int64, Int) in
                let rows = try Row.fetchAll(db, sql: "SELECT rowid, record, text FROM patent WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                            arguments: [position, max(1, batch)])
                var rewritten = 0
                for row in rows {
                    let record: Data = row[1]
                    guard !PatentRecordCodec.isCurrent(record) else { continue }
                    // A record that cannot be read stays as it is (reading it fails as it
                    // did before): one damaged row never keeps the store from opening.
                    guard let patent = try? PatentRecordCodec.decode(record, text: row[2]) else { continue }
                    let stored = PatentRecordCodec.encode(patent)
                    try db.execute(sql: "UPDATE patent SET record = ?, text = ? WHERE rowid = ?",
                                   arguments: [stored.record, stored.text, row[0] as Int64])
                    rewritten += 1
                }
                let last: Int64 = rows.last?[0] ?? Int64(position)
                try Self.setCounter(db, Self.conversionPositionCounter, Int(last))
                return (rows.count, last, rewritten)
            }
            position = Int(last)
            walked += rows
            converted += rewritten
            if rows > 0 { progress?(walked, max(walked, state.total)) }
            if rows < max(1, batch) { break }
        }
        let check = try integrityCheck()
        guard check == "ok" else { throw RecordConversionFailure(integrity: check) }
        try pool.write { db in try Self.setCounter(db, Self.recordFormCounter, current) }
        return converted
    }

    /// Marks a store every record of which is in the current form (a new one).
    func markRecordsCurrent(ifEmpty: Bool) throws {
        try pool.write { db in
            guard try Self.counter(db, Self.recordFormCounter) == nil else { return }
            if ifEmpty, try Int.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM patent)") == 1 { return }
            try Self.setCounter(db, Self.recordFormCounter, Int(PatentRecordCodec.formatByte))
        }
    }

    private static func counter(_ db: Database, _ name: String) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [name])
    }

    private static func setCounter(_ db: Database, _ name: String, _ value: Int) throws {
        try db.execute(sql: "INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                       arguments: [name, value])
    }
}

/// The store failed `PRAGMA integrity_check` after its records were converted.
public struct RecordConversionFailure: Error, CustomStringConvertible {
    public let integrity: String
    public var description: String { "the store failed its integrity check after converting its records: \(integrity)" }
}
