import Crypto
import Foundation
import PatentExport
import PatentStore

/// Writes one task's file: the stored result's patents in order, read from the store in
/// pages, through the format's streaming writer into `<file>.<task id>.part`, which is synced and
/// renamed to its final name only when complete. A half-written file therefore never
/// has the name a SUCCESS task points at.
struct ExportJob {
    let task: ExportTask
    let result: [String]
    let store: PatentStore
    let path: String
    let pageSize: Int

    struct Outcome {
        var rows: Int
        var size: Int
        var sha256: String
    }

    /// Thrown when the pool stops before the file is complete; the task stays PENDING and
    /// is written again on the next start.
    struct Stopped: Error {}

    /// Writes the file; `progress` is called with the rows written after each page and
    /// returns false to stop.
    func run(progress: (Int) throws -> Bool) throws -> Outcome {
        let partial = Self.partialPath(path, taskID: task.id)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let specification = task.specification
        let writer = try ExportFormat.writer(specification.exportType, path: partial, fields: specification.exportFields,
                                             languages: specification.languages)
        var rows = 0
        var start = 0
        while start < result.count {
            let page = Array(result[start..<min(result.count, start + max(1, pageSize))])
            let stored = try store.patents(page)
            for pn in page {
                guard let patent = stored[pn] else {
                    throw ServiceError.serviceError("patent \(pn) of the task's result is no longer in the store")
                }
                let original = specification.exportType == .pdf ? store.originalPDF(pn) : nil
                try writer.write(ExportRecord(patent: patent.patent, families: patent.families, originalPDF: original))
                rows += 1
            }
            start += page.count
            guard try progress(rows) else { throw Stopped() }
        }
        try writer.finish()
        let (size, digest) = try Self.sha256(of: partial)
        guard rename(partial, path) == 0 else { throw ServiceError.serviceError("cannot rename \(partial): errno \(errno)") }
        DurableWrite.syncDirectory(of: path)
        return Outcome(rows: rows, size: size, sha256: digest)
    }

    /// Where the file is written until complete; named for the task, so that tasks sharing
    /// a file (empty results) never write one part.
    static func partialPath(_ path: String, taskID: String) -> String { "\(path).\(taskID).part" }

    /// Size and SHA-256 (hex) of a file, read in 1 MB pieces.
    static func sha256(of path: String) throws -> (Int, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ServiceError.serviceError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (size, Array(hasher.finalize()).hexString)
    }
}
