import Foundation
import PatentAccounts

/// The state of an export task as P055 reports it.
public enum ExportStatus: String, Sendable, Codable {
    /// Created, waiting for a writer or being written.
    case pending = "PENDING"
    case success = "SUCCESS"
    case fail = "FAIL"
}

/// One export task as stored.
public struct ExportTask: Sendable, Equatable {
    /// 32 lower-case hex characters from 128 random bits.
    public let id: String
    /// The client that created it; nil while the server runs without authentication.
    public let owner: String?
    public let specification: ExportSpecification
    /// The index generation the search ran on (this node's).
    public let generation: Int
    /// The revision of the patents' feed the creating node's store had applied when the
    /// search ran (many machines; 0 on one): a writer on another node first follows the
    /// feed at least this far, so that every patent of the result is in its store.
    public let revision: Int
    /// Matching patents after collapse (uncapped).
    public let total: Int
    /// Patents the file holds: min(rows, max(0, min(total, 100,000) − offset)).
    public let count: Int
    public var status: ExportStatus
    public var rowsWritten: Int
    /// `yyyyMMddHHmmssSSS.EXT`, fixed when the task is created.
    public let fileName: String
    public var fileSize: Int?
    public var sha256: String?
    public var error: String?
    public let createdAt: Date
    public var updatedAt: Date
    /// The task id stops answering after this (24 h).
    public let expiresAt: Date
    /// Set on SUCCESS: the file and its links stop working after this (7 days).
    public var fileExpiresAt: Date?
    /// The claim that wrote (or writes) the file: 0 on one machine, 1, 2, … from a queue
    /// several nodes share (the file lies in a folder of the attempt's own).
    public var attempt: Int

    public init(id: String, owner: String?, specification: ExportSpecification, generation: Int, total: Int, count: Int,
                status: ExportStatus, rowsWritten: Int, fileName: String, fileSize: Int? = nil, sha256: String? = nil,
                error: String? = nil, createdAt: Date, updatedAt: Date, expiresAt: Date, fileExpiresAt: Date? = nil,
                attempt: Int = 0, revision: Int = 0) {
        self.attempt = attempt
        self.revision = revision
        self.id = id
        self.owner = owner
        self.specification = specification
        self.generation = generation
        self.total = total
        self.count = count
        self.status = status
        self.rowsWritten = rowsWritten
        self.fileName = fileName
        self.fileSize = fileSize
        self.sha256 = sha256
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.fileExpiresAt = fileExpiresAt
    }

    public var percent: Int { count == 0 ? 100 : min(100, rowsWritten * 100 / count) }

    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }

    /// `yyyyMMddHHmmssSSS` in UTC.
    static func fileStem(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2)
            + pad((c.nanosecond ?? 0) / 1_000_000, 3)
    }
}
