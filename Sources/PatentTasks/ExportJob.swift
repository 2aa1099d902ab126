import Crypto
import Foundation
import PatentAccounts
import PatentExport
import PatentModel
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

    /// Pages being read while one is written: reading and decoding a page costs about twice
    /// what writing it does, so two readers keep the writer busy.
    static let pagesAhead = 2
    /// The most patents in a page when their claims or descriptions are read.
    static let fullTextPageSize = 50

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
        // Claims and descriptions make a record some 100 KB decoded: pages of those are
        // smaller, so that the pages in flight stay within a few tens of MB.
        let reading = PageRead.Reading(store: store, specification: specification)
        let perPage = max(1, reading.parts.isDisjoint(with: [.claims, .descriptions]) ? pageSize : min(pageSize, Self.fullTextPageSize))
        var pages = stride(from: 0, to: result.count, by: perPage).lazy.map { start in
            Array(result[start..<min(result.count, start + perPage)])
        }.makeIterator()
        // The next pages are read, decoded and turned into rows on other threads while
        // this one is written.
        var ahead: [PageRead] = []
        while let page = ahead.count < Self.pagesAhead ? pages.next() : nil { ahead.append(PageRead(page, reading)) }
        while !ahead.isEmpty {
            let current = ahead.removeFirst()
            if let page = pages.next() { ahead.append(PageRead(page, reading)) }
            for record in try current.wait() {
                try writer.write(record)
                rows += 1
            }
            guard try progress(rows) else { throw Stopped() }
        }
        try writer.finish()
        let (size, digest) = try writer.fileDigest.map { ($0.size, $0.sha256.hexString) } ?? Self.sha256(of: partial)
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

/// One page of a result being read from the store on a thread of its own and made into
/// export records, their field values computed there too; `wait` gives them in result
/// order. At most `ExportJob.pagesAhead` pages are read ahead, so memory stays flat.
private final class PageRead: @unchecked Sendable {
    /// What every page of one export reads and computes.
    struct Reading: Sendable {
        let store: PatentStore
        let specification: ExportSpecification
        let parts: PatentRecordCodec.Parts

        init(store: PatentStore, specification: ExportSpecification) {
            self.store = store
            self.specification = specification
            parts = ExportFormat.recordParts(specification.exportType, fields: specification.exportFields)
        }

        func records(_ page: [String]) throws -> [ExportRecord] {
            let stored = try store.patents(page, parts: parts)
            let type = specification.exportType
            return try page.map { pn in
                guard let patent = stored[pn] else {
                    throw ServiceError.serviceError("patent \(pn) of the task's result is no longer in the store")
                }
                var record = ExportRecord(patent: patent.patent, families: patent.families,
                                          originalPDF: type == .pdf ? store.originalPDF(pn) : nil)
                if ExportFormat.writesFieldValues(type) {
                    record.computeValues(specification.exportFields, languages: specification.languages)
                }
                return record
            }
        }
    }

    private let done = DispatchSemaphore(value: 0)
    // Written once on the reading thread before `done` is signalled, read after.
    private var outcome: Result<[ExportRecord], any Error> = .success([])

    init(_ page: [String], _ reading: Reading) {
        DispatchQueue.global(qos: .utility).async { [self] in
            outcome = Result { try reading.records(page) }
            done.signal()
        }
    }

    func wait() throws -> [ExportRecord] {
        done.wait()
        return try outcome.get()
    }
}
