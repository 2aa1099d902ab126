import Dispatch
import Foundation
import PatentImport
import PatentModel
import PatentStore

/// Progress of a running import, reported about twice a second.
public struct ImportProgress: Sendable {
    public var files = 0
    public var documents = 0
    public var seconds = 0.0
    public var documentsPerSecond: Double { seconds > 0 ? Double(documents) / seconds : 0 }
}

/// The outcome of an import: what was written, and every document skipped with why.
public struct ImportReport: Sendable {
    public var files = 0
    public var documents = 0
    public var records = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Documents not imported: patent documents that could not be read, and documents
    /// in no format this system knows.
    public var skipped: [(origin: String, problem: ImportProblem)] = []
    /// Documents that are not patents and are known to be what they are (search results,
    /// sequence listings, web pages, …): listed, never counted as skipped.
    public var notPatents: [(origin: String, kind: NonPatentDocument)] = []
    /// Offices' original PDFs stored with their publications (file, publication number).
    public var originals: [(origin: String, pn: String)] = []
    /// Documents whose broken XML was mended to import them, with each repair.
    public var repaired: [(origin: String, repairs: [String])] = []
    public var seconds = 0.0
    /// Time spent decoding (wall clock, all cores) and writing to the store.
    public var decodeSeconds = 0.0
    public var writeSeconds = 0.0

    public var skippedByReason: [String: Int] {
        skipped.reduce(into: [:]) { $0[$1.problem.reason, default: 0] += 1 }
    }

    public var notPatentsByKind: [NonPatentDocument: Int] {
        notPatents.reduce(into: [:]) { $0[$1.kind, default: 0] += 1 }
    }

    /// Records a document that gave no records.
    mutating func record(_ origin: String, _ problem: ImportProblem) {
        if case .notPatent(let kind) = problem { notPatents.append((origin, kind)) } else { skipped.append((origin, problem)) }
    }
}

/// Reads inputs, decodes documents on all cores, and writes records to the store in
/// batches (one transaction each). A bad document is recorded and skipped; it never
/// stops the import.
public struct Importer {
    /// Where records go; nil for a dry run that only decodes and reports.
    public let store: PatentStore?
    /// Documents decoded in parallel per round.
    public var decodeBatch = 64
    /// Records per store transaction.
    public var writeBatch = 500
    /// Called on the writer thread after each committed batch (the binary's crash tests
    /// use it to slow an import down so that a kill lands between batches).
    public var afterBatch: (@Sendable () -> Void)?
    /// How a batch is written: into `store` (`upsert`) by default; on many machines,
    /// published on the shared database's feed through it (`PatentFeed.publish`).
    public var write: (@Sendable (PatentStore, [PreparedRecord]) throws -> UpsertSummary) = { try $0.upsert($1) }
    /// How an original PDF is kept: in `store` by default; on many machines, published on
    /// the shared database's feed (`PatentFeed.publishOriginal`).
    public var saveOriginal: (PatentStore, [UInt8], String) throws -> Void = { try $0.saveOriginalPDF($1, pn: $2) }

    public init(store: PatentStore?) { self.store = store }

    public func run(paths: [String], progress: ((ImportProgress) -> Void)? = nil) throws -> ImportReport {
        let start = Date()
        var report = ImportReport()
        var documents: [SourceDocument] = []
        var pending: [PreparedRecord] = []
        var lastProgress = Date()
        let write = self.write
        let writer = store.map { store in WritePipeline(write: { try write(store, $0) }, afterCommit: afterBatch) }

        func flushWrites() throws {
            guard !pending.isEmpty else { return }
            if let writer { try writer.submit(pending) } else { report.inserted += pending.count }
            pending.removeAll(keepingCapacity: true)
        }

        func decodePending() throws {
            guard !documents.isEmpty else { return }
            let decodeStart = Date()
            let results = Self.decodeInParallel(documents)
            report.decodeSeconds += Date().timeIntervalSince(decodeStart)
            for (document, (result, repairs)) in zip(documents, results) {
                if !repairs.isEmpty { report.repaired.append((document.origin, repairs)) }
                switch result {
                case .success(let records):
                    report.records += records.count
                    pending.append(contentsOf: records)
                case .failure(let problem):
                    report.record(document.origin, problem)
                }
            }
            documents.removeAll(keepingCapacity: true)
            if pending.count >= writeBatch { try flushWrites() }
            if let progress, Date().timeIntervalSince(lastProgress) > 0.5 {
                lastProgress = Date()
                progress(ImportProgress(files: report.files, documents: report.documents, seconds: Date().timeIntervalSince(start)))
            }
        }

        try DocumentSource(paths: paths).forEach { event in
            switch event {
            case .document(let document):
                report.documents += 1
                documents.append(document)
                if documents.count >= decodeBatch { try decodePending() }
            case .unreadable(let origin, let reason):
                report.record(origin, .unreadable(reason))
            case .originalPDF(let pn, let origin, let bytes):
                do {
                    if let store { try saveOriginal(store, bytes, pn) }
                    report.originals.append((origin, pn))
                } catch {
                    report.record(origin, .unreadable("the original PDF could not be stored: \(error)"))
                }
            case .finishedFile:
                report.files += 1
            }
        }
        try decodePending()
        try flushWrites()
        if let writer {
            let (summary, seconds) = try writer.finish()
            report.inserted = summary.inserted
            report.updated = summary.updated
            report.unchanged = summary.unchanged
            report.writeSeconds = seconds
        }
        report.seconds = Date().timeIntervalSince(start)
        progress?(ImportProgress(files: report.files, documents: report.documents, seconds: report.seconds))
        return report
    }

    /// Decodes documents on all cores and encodes each record's JSON there too, so
    /// the writer thread only writes.
    static func decodeInParallel(_ documents: [SourceDocument]) -> [(Result<[PreparedRecord], ImportProblem>, repairs: [String])] {
        var results = [(Result<[PreparedRecord], ImportProblem>, repairs: [String])](repeating: (.failure(.noPatent), []), count: documents.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: documents.count) { i in
                let decoded = DocumentDecoder.decodeReporting(documents[i].bytes)
                output[i] = (decoded.result.map { patents in
                    patents.map { PreparedRecord(patent: $0, encoded: PatentStore.encode($0)) }
                }, decoded.repairs)
            }
        }
        return results
    }
}
