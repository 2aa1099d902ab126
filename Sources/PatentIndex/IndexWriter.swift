import Foundation

/// Adds, replaces and removes documents and commits them as a new generation.
/// One writer per index folder at a time (the caller serialises writers).
public final class IndexWriter {
    public let directory: String
    public private(set) var manifest: IndexManifest
    private var pending: [String: IndexDocument] = [:]
    private var pendingOrder: [String] = []
    private var removals: Set<String> = []

    /// Opens the index in `directory`, creating it, and removes files that no manifest
    /// names (left by a writer that was killed).
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        manifest = try IndexManifest.load(from: directory)
        try collectGarbage()
    }

    public var pendingCount: Int { pendingOrder.count + removals.count }

    /// Adds or replaces the document of a publication.
    public func update(_ document: IndexDocument) {
        if pending.updateValue(document, forKey: document.pn) == nil { pendingOrder.append(document.pn) }
        removals.remove(document.pn)
    }

    /// Removes a publication from the index.
    public func remove(_ pn: String) {
        if pending.removeValue(forKey: pn) != nil { pendingOrder.removeAll { $0 == pn } }
        removals.insert(pn)
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
        var touched = Set<Int>()
        for pn in pendingOrder + removals.sorted() {
            if let (segment, doc) = snapshot.locate(pn) {
                deletions[segment].insert(doc)
                touched.insert(segment)
            }
        }
        for index in touched.sorted() {
            let name = IndexManifest.deletionFile(next.segments[index].id, generation: next.generation)
            try DurableFile.write(deletions[index].bits, to: path(name))
            next.segments[index].deletions = name
            next.segments[index].deleted = deletions[index].count
        }
        if !pendingOrder.isEmpty {
            let writer = SegmentWriter()
            for pn in pendingOrder { writer.add(pending[pn]!) }
            let id = next.nextSegment
            next.nextSegment += 1
            try writer.write(to: path(IndexManifest.segmentFile(id)))
            next.segments.append(.init(id: id, documents: writer.documentCount, deletions: nil, deleted: 0))
        }
        next.segments.removeAll { $0.documents == $0.deleted }
        try next.save(to: directory)
        manifest = next
        pending = [:]
        pendingOrder = []
        removals = []
        try collectGarbage()
        return next.generation
    }

    /// Rewrites all segments as one, dropping deleted documents.
    public func merge() throws {
        guard manifest.segments.count > 1 || manifest.segments.contains(where: { $0.deleted > 0 }) else { return }
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest)
        let writer = SegmentMerger.merge(snapshot)
        var next = manifest
        next.generation += 1
        let id = next.nextSegment
        next.nextSegment += 1
        try writer.write(to: path(IndexManifest.segmentFile(id)))
        next.segments = writer.documentCount > 0 ? [.init(id: id, documents: writer.documentCount, deletions: nil, deleted: 0)] : []
        try next.save(to: directory)
        manifest = next
        try collectGarbage()
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
