import Foundation

/// Adds, replaces and removes documents and commits them as a new generation.
/// One writer per index folder at a time (the caller serialises writers).
public final class IndexWriter {
    public let directory: String
    public private(set) var manifest: IndexManifest
    /// The segment being built: documents go in as they arrive (memory holds postings,
    /// not analysed documents); a publication added twice keeps its last document.
    private var builder = SegmentWriter()
    private var builderDocs: [String: Int] = [:]
    private var builderDeleted: [Int] = []
    /// Publications whose older documents (in committed segments) must be deleted.
    private var touched: Set<String> = []

    /// Opens the index in `directory`, creating it, and removes files that no manifest
    /// names (left by a writer that was killed).
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        manifest = try IndexManifest.load(from: directory)
        try collectGarbage()
    }

    public var pendingCount: Int { touched.count }

    /// Memory the segment being built holds (`SegmentWriter.estimatedBytes`).
    public var pendingBytes: Int { builder.estimatedBytes }

    /// Adds or replaces the document of a publication.
    public func update(_ document: IndexDocument) {
        if let old = builderDocs[document.pn] { builderDeleted.append(old) }
        builderDocs[document.pn] = builder.add(document)
        touched.insert(document.pn)
    }

    /// Removes a publication from the index.
    public func remove(_ pn: String) {
        if let old = builderDocs.removeValue(forKey: pn) { builderDeleted.append(old) }
        touched.insert(pn)
    }

    /// Writes pending changes as a new generation. Returns the new generation number.
    @discardableResult
    public func commit(storeRevision: Int? = nil) throws -> Int {
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest)
        var next = manifest
        next.generation += 1
        if let storeRevision { next.storeRevision = storeRevision }
        // Deletions of replaced and removed publications in existing segments.
        var deletions = snapshot.deletions
        var changedSegments = Set<Int>()
        for pn in touched.sorted() {
            if let (segment, doc) = snapshot.locate(pn) {
                deletions[segment].insert(doc)
                changedSegments.insert(segment)
            }
        }
        for index in changedSegments.sorted() {
            let name = IndexManifest.deletionFile(next.segments[index].id, generation: next.generation)
            try DurableFile.write(deletions[index].bits, to: path(name))
            next.segments[index].deletions = name
            next.segments[index].deleted = deletions[index].count
        }
        if builder.documentCount > 0 {
            let id = next.nextSegment
            next.nextSegment += 1
            try builder.write(to: path(IndexManifest.segmentFile(id)))
            var entry = IndexManifest.SegmentEntry(id: id, documents: builder.documentCount, deletions: nil, deleted: 0)
            if !builderDeleted.isEmpty {
                var deleted = DeletionSet(documents: builder.documentCount)
                for doc in builderDeleted { deleted.insert(doc) }
                let name = IndexManifest.deletionFile(id, generation: next.generation)
                try DurableFile.write(deleted.bits, to: path(name))
                entry.deletions = name
                entry.deleted = deleted.count
            }
            next.segments.append(entry)
        }
        next.segments.removeAll { $0.documents == $0.deleted }
        try next.save(to: directory)
        manifest = next
        builder = SegmentWriter()
        builderDocs = [:]
        builderDeleted = []
        touched = []
        try collectGarbage()
        return next.generation
    }

    /// Rewrites all segments as one, dropping deleted documents.
    public func merge() throws {
        guard manifest.segments.count > 1 || manifest.segments.contains(where: { $0.deleted > 0 }) else { return }
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest)
        var next = manifest
        next.generation += 1
        let id = next.nextSegment
        next.nextSegment += 1
        let documents = try SegmentMerger.merge(snapshot, to: path(IndexManifest.segmentFile(id)))
        next.segments = documents > 0 ? [.init(id: id, documents: documents, deletions: nil, deleted: 0)] : []
        try next.save(to: directory)
        manifest = next
        try collectGarbage()
    }

    /// Removes the index in `directory` (of any format): its manifest first, durably, so
    /// that a crash part way leaves an empty index, never a damaged one; then its files.
    public static func removeIndex(in directory: String) throws {
        let manifest = (directory as NSString).appendingPathComponent(IndexManifest.fileName)
        if unlink(manifest) != 0 && errno != ENOENT {
            throw IndexError.io("cannot remove \(manifest): \(String(cString: strerror(errno)))")
        }
        DurableFile.syncDirectory(of: manifest)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix("seg-") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    private func collectGarbage() throws {
        let keep = manifest.files
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !keep.contains(name) {
            if name.hasPrefix("seg-") || name.hasPrefix("manifest.json.tmp") {
                try? FileManager.default.removeItem(atPath: path(name))
            }
        }
    }
}
