import Foundation
import Synchronization

/// Adds, replaces and removes documents and commits them as a new generation.
/// One writer per index folder at a time (the caller serialises writers).
public final class IndexWriter {
    public let directory: any IndexDirectory
    public internal(set) var manifest: IndexManifest
    /// The segments being built, one per indexing thread: documents go in as they arrive
    /// (memory holds postings, not analysed documents); a publication added twice keeps
    /// its last document.
    private var builders: [SegmentWriter]
    private var builderDocs: [String: (builder: Int, doc: Int)] = [:]
    private var builderDeleted: [[Int]]
    /// Publications whose older documents (in committed segments) must be deleted.
    private var touched: Set<String> = []
    /// The merge running in the background, if any (`startMerge`).
    var runningMerge: SegmentMerge?

    /// Opens the index in the folder `directory`, creating it (see `init(_:threads:)`).
    public convenience init(directory: String, threads: Int = 1) throws {
        try self.init(FileSystemDirectory(directory), threads: threads)
    }

    /// Opens the index in `directory`, creating it, and removes files that no manifest
    /// names (left by a writer that was killed). `threads` segments are built at once.
    public init(_ directory: any IndexDirectory, threads: Int = 1) throws {
        self.directory = directory
        manifest = try IndexManifest.load(from: directory)
        builders = (0..<max(threads, 1)).map { _ in SegmentWriter() }
        builderDeleted = Array(repeating: [], count: builders.count)
        try collectGarbage()
    }

    public var pendingCount: Int { touched.count }

    /// Memory the segments being built hold (`SegmentWriter.estimatedBytes`).
    public var pendingBytes: Int { builders.reduce(0) { $0 + $1.estimatedBytes } }

    /// The number of segments built at once (`update(inParallel:)`).
    public var threads: Int { builders.count }

    /// Adds or replaces the document of a publication.
    public func update(_ document: IndexDocument) {
        record(document.pn, builder: 0, doc: builders[0].add(document))
    }

    /// Adds or replaces documents on all builders at once: `produce(i, add)` runs on
    /// thread `i` and hands builder `i` its documents one at a time through `add` (it may
    /// decode and analyse each there, so only one document per thread is held at once).
    /// Where a publication comes more than once, the one of the highest `i` wins.
    public func update(inParallel produce: @Sendable (Int, (IndexDocument) -> Void) -> Void) {
        var added = [[(pn: String, doc: Int)]](repeating: [], count: builders.count)
        let builders = self.builders
        added.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            nonisolated(unsafe) let builders = builders
            DispatchQueue.concurrentPerform(iterations: builders.count) { i in
                produce(i) { document in output[i].append((document.pn, builders[i].add(document))) }
            }
        }
        for (i, documents) in added.enumerated() {
            for (pn, doc) in documents { record(pn, builder: i, doc: doc) }
        }
    }

    private func record(_ pn: String, builder: Int, doc: Int) {
        if let old = builderDocs[pn] { builderDeleted[old.builder].append(old.doc) }
        builderDocs[pn] = (builder, doc)
        touched.insert(pn)
    }

    /// Removes a publication from the index.
    public func remove(_ pn: String) {
        if let old = builderDocs.removeValue(forKey: pn) { builderDeleted[old.builder].append(old.doc) }
        touched.insert(pn)
    }

    /// Writes pending changes as a new generation (recording `shard` as what the index
    /// holds, when given). Returns the new generation number.
    @discardableResult
    public func commit(storeRevision: Int? = nil, shard: ShardRouting? = nil) throws -> Int {
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest)
        var next = manifest
        next.generation += 1
        if let storeRevision { next.storeRevision = storeRevision }
        if let shard { next.shard = shard }
        // Deletions of replaced and removed publications in existing segments.
        var deletions = snapshot.deletions
        var changedSegments = Set<Int>()
        for (n, pn) in touched.sorted().enumerated() {
            if let (segment, doc) = snapshot.locate(pn) {
                deletions[segment].insert(doc)
                changedSegments.insert(segment)
            }
            // The lookups touch dictionary pages of every segment: they are let go as the
            // (sorted) lookups move on, or a commit into a large index would hold all its
            // number dictionaries resident.
            if n % 8_192 == 8_191 { snapshot.releasePages() }
        }
        snapshot.releasePages()
        for index in changedSegments.sorted() {
            try write(deletions[index], of: &next.segments[index], generation: next.generation)
        }
        // The new segments are written at once, one thread each.
        let built = builders.indices.filter { builders[$0].documentCount > 0 }
        let firstID = next.nextSegment
        nonisolated(unsafe) let writers = built.map { builders[$0] }
        let directory = self.directory
        try Self.inParallel(built.count) { k in try writers[k].write(to: directory, id: firstID + k) }
        next.nextSegment = firstID + built.count
        for (k, index) in built.enumerated() {
            let id = firstID + k, documents = builders[index].documentCount
            var entry = IndexManifest.SegmentEntry(id: id, documents: documents, normSums: builders[index].normSums)
            if !builderDeleted[index].isEmpty {
                var deleted = DeletionSet(documents: documents)
                for doc in builderDeleted[index] { deleted.insert(doc) }
                try write(deleted, of: &entry, generation: next.generation)
            }
            next.segments.append(entry)
        }
        next.segments.removeAll { $0.documents == $0.deleted }
        try next.save(to: directory)
        manifest = next
        builders = builders.map { _ in SegmentWriter() }
        builderDocs = [:]
        builderDeleted = Array(repeating: [], count: builders.count)
        touched = []
        try collectGarbage()
        return next.generation
    }

    /// Runs `work(0..<count)` on as many threads; the first error is thrown once all end.
    private static func inParallel(_ count: Int, _ work: @Sendable (Int) throws -> Void) throws {
        let failure = Mutex<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: count) { k in
            do { try work(k) } catch { failure.withLock { $0 = $0 ?? error } }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Rewrites all segments as one, dropping deleted documents.
    public func merge() throws {
        try finishMerge(wait: true)
        guard manifest.segments.count > 1 || manifest.segments.contains(where: { $0.deleted > 0 }) else { return }
        let snapshot = try IndexSnapshot.open(directory: directory, manifest: manifest)
        var next = manifest
        next.generation += 1
        let id = next.nextSegment
        next.nextSegment += 1
        let (documents, normSums) = try SegmentMerger.merge(snapshot, into: directory, id: id)
        next.segments = documents > 0 ? [.init(id: id, documents: documents, normSums: normSums)] : []
        try next.save(to: directory)
        manifest = next
        try collectGarbage()
    }

    /// Whether the folder holds an index written in an earlier format (to rebuild).
    public static func isOldFormat(_ directory: String) -> Bool {
        isOldFormat(FileSystemDirectory(existing: directory))
    }

    public static func isOldFormat(_ directory: any IndexDirectory) -> Bool {
        do {
            _ = try IndexManifest.load(from: directory)
            return false
        } catch {
            return error as? IndexError == .oldFormat
        }
    }

    /// Removes the index in `directory` (of any format): its manifest first, durably, so
    /// that a crash part way leaves an empty index, never a damaged one; then its files.
    public static func removeIndex(in directory: String) throws {
        try removeIndex(in: FileSystemDirectory(existing: directory))
    }

    public static func removeIndex(in directory: any IndexDirectory) throws {
        try directory.remove(IndexManifest.fileName)
        try directory.sync()
        for name in try directory.fileNames() where name.hasPrefix("seg-") {
            try? directory.remove(name)
        }
    }

    /// Writes a segment's deletions as its file of `generation` and names it in `entry`.
    func write(_ deleted: DeletionSet, of entry: inout IndexManifest.SegmentEntry, generation: Int) throws {
        let name = IndexManifest.deletionFile(entry.id, generation: generation)
        try directory.write(deleted.bits, to: name)
        entry.deletions = name
        entry.deleted = deleted.count
    }

    /// Removes the files no manifest names, but those a running merge is writing.
    func collectGarbage() throws {
        let keep = manifest.files
        let writing = runningMerge.map { "seg-\($0.output)." }
        for name in try directory.fileNames() where !keep.contains(name) {
            if let writing, name.hasPrefix(writing) { continue }
            if name.hasPrefix("seg-") || name.hasPrefix("manifest.json.tmp") {
                try? directory.remove(name)
            }
        }
    }
}
