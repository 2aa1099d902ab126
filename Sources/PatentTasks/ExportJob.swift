import Crypto
import Foundation
import PatentExport
import PatentStore

/// Writes one task's file: the stored result's patents in order, read from the store in
/// pages (the next page read and decoded on another thread while one is written), through
/// the format's streaming writer into `<file>.<task id>.part`, which is synced and renamed
/// to its final name only when complete. A half-written file therefore never has the name
/// a SUCCESS task points at.
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
        var pages = stride(from: 0, to: result.count, by: max(1, pageSize)).lazy.map { start in
            Array(result[start..<min(result.count, start + max(1, pageSize))])
        }.makeIterator()
        // The next page is read and decoded on another thread while this one is written.
        var ahead = pages.next().map { PageRead($0, from: store) }
        while let current = ahead {
            ahead = pages.next().map { PageRead($0, from: store) }
            let (page, stored) = try current.wait()
            for pn in page {
                guard let patent = stored[pn] else {
                    throw ServiceError.serviceError("patent \(pn) of the task's result is no longer in the store")
                }
                let original = specification.exportType == .pdf ? store.originalPDF(pn) : nil
                try writer.write(ExportRecord(patent: patent.patent, families: patent.families, originalPDF: original))
                rows += 1
            }
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

/// One page of a result being read from the store on a thread of its own; `wait` gives
/// its records. At most one page is read ahead, so memory stays at two pages.
private final class PageRead: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once on the reading thread before `done` is signalled, read after.
    private var outcome: Result<[String: StoredPatent], any Error> = .success([:])
    private let page: [String]

    init(_ page: [String], from store: PatentStore) {
        self.page = page
        DispatchQueue.global(qos: .utility).async { [self] in
            outcome = Result { try store.patents(page) }
            done.signal()
        }
    }

    func wait() throws -> ([String], [String: StoredPatent]) {
        done.wait()
        return (page, try outcome.get())
    }
}
