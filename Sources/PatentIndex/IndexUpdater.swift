import Foundation
import PatentModel
import PatentStore

/// Brings the index up to date with the store: every patent written since the
/// revision the index reflects is (re)indexed, in commits of `batchSize` documents.
public struct IndexUpdater {
    public let store: PatentStore
    public let directory: String
    public var batchSize = 20_000
    /// Merge into one segment once a commit leaves more segments than this.
    public var maximumSegments = 8

    public init(store: PatentStore, directory: String) {
        self.store = store
        self.directory = directory
    }

    public struct Report: Sendable {
        public var indexed = 0
        public var generation = 0
        public var segments = 0
        public var seconds = 0.0
    }

    @discardableResult
    public func update(progress: ((Int) -> Void)? = nil) throws -> Report {
        let start = Date()
        let writer = try IndexWriter(directory: directory)
        var report = Report()
        var revision = writer.manifest.storeRevision
        while true {
            var batch = try store.changes(after: revision, limit: batchSize)
            guard let last = batch.last else { break }
            // A commit ends at a revision boundary, so the next one starts after it.
            if batch.count == batchSize {
                let complete = batch.filter { $0.revision < last.revision }
                batch = complete.isEmpty ? try store.changes(atRevision: last.revision) : complete
            }
            for document in Self.analyze(batch) { writer.update(document) }
            revision = batch.last!.revision
            report.indexed += batch.count
            try writer.commit(storeRevision: revision)
            progress?(report.indexed)
        }
        if writer.manifest.segments.count > maximumSegments { try writer.merge() }
        report.generation = writer.manifest.generation
        report.segments = writer.manifest.segments.count
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    public static func familyIDs(_ families: [FamilyLevel: Int]) -> FamilyIDs {
        FamilyIDs(docdb: families[.docdb], inpadoc: families[.inpadoc], extended: families[.extended])
    }

    /// Analysis on all cores.
    static func analyze(_ changes: [StoredPatent]) -> [IndexDocument] {
        var documents = [IndexDocument?](repeating: nil, count: changes.count)
        documents.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: changes.count) { i in
                output[i] = IndexDocument(changes[i].patent, families: familyIDs(changes[i].families))
            }
        }
        return documents.compactMap { $0 }
    }
}
