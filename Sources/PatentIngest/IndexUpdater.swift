import Foundation
import Synchronization
import PatentIndex
import PatentModel
import PatentStore

/// Brings the index up to date with the store: every patent written since the
/// revision the index reflects is (re)indexed, in commits of `batchSize` documents.
public struct IndexUpdater {
    public let store: PatentStore
    public let directory: any IndexDirectory
    /// Memory for the segment being built: when it holds this much, it is written as a
    /// commit (on a store-revision boundary). 512 MB by default (`--memory`); the whole
    /// build stays within about twice this (see BENCHMARKS.md "Index build memory").
    public var memoryBudget = 512 << 20
    /// At most this many documents per commit (test hooks commit small segments); by
    /// default only the memory budget decides.
    public var batchSize = Int.max
    /// Patents read from the store at a time (at most; fewer when records are large, see
    /// `pageBytes`); each thread decodes, analyses and inverts its share of a page into
    /// its own segment, one document at a time.
    public var pageSize = 1_024
    /// About this many bytes of records are read at a time: pages of full-text patents
    /// (some 100 KB each) hold a few hundred, bibliographic ones `pageSize`.
    public var pageBytes = 32 << 20
    /// Indexing threads: each builds its own segment, so a commit writes this many.
    public var threads = Self.defaultThreads
    /// One per core, at most 8.
    public static let defaultThreads = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    /// Which segments are merged, in the background of the build and at its end.
    public var mergePolicy = TieredMergePolicy()
    /// Start from nothing: every patent of the store is indexed again (`--rebuild`, after
    /// a damaged segment). An index in an earlier format is always rebuilt.
    public var rebuild = false
    /// Index only the patents of this shard (`ShardRouting`, by extended family); the others
    /// are removed should an earlier revision have held them here (a family that merged
    /// into one of another shard moves with it). The index records its shard: nil keeps
    /// what it holds; another shard than it holds is refused (`IndexError.otherShard`)
    /// unless it is rebuilt.
    public var shard: ShardRouting?

    /// Updates the index in the folder `directory` (created if missing).
    public init(store: PatentStore, directory: String) {
        self.init(store: store, directory: FileSystemDirectory(existing: directory))
    }

    public init(store: PatentStore, directory: any IndexDirectory) {
        self.store = store
        self.directory = directory
    }

    public struct Report: Sendable {
        public var indexed = 0
        public var generation = 0
        public var segments = 0
        public var seconds = 0.0
        /// Whether the index was rebuilt from nothing.
        public var rebuilt = false
    }

    @discardableResult
    public func update(progress: ((Int) -> Void)? = nil) throws -> Report {
        let start = Date()
        var report = Report()
        if rebuild || IndexWriter.isOldFormat(directory) {
            try IndexWriter.removeIndex(in: directory)
            report.rebuilt = true
        }
        let writer = try IndexWriter(directory, threads: threads)
        if let pulled = writer.manifest.pulledGeneration { throw IndexError.pulled(generation: pulled) }
        let shard = try shardHeld(by: writer.manifest)
        var cursor = (revision: writer.manifest.storeRevision, pn: "")
        // The index holds every revision up to its manifest's: start after all of it.
        var limit = pageSize
        var page = try store.changedRecords(after: cursor.revision, limit: limit)
        while let last = page.last {
            // The next page is read while this one is inverted, sized by this one's bytes.
            let bytes = page.reduce(0) { $0 + $1.size }
            limit = min(pageSize, max(16, page.count * pageBytes / max(bytes, 1)))
            let store = self.store, next = BackgroundWork { [limit] in
                try store.changedRecords(afterRevision: last.revision, pn: last.pn, limit: limit)
            }
            report.indexed += try Self.invert(page, into: writer, shard: shard)
            cursor = (last.revision, last.pn)
            page = try next.value()
            guard writer.pendingCount >= batchSize || writer.pendingBytes >= memoryBudget else { continue }
            // Full: the rest of the current revision first (a manifest's revision is
            // complete), however many pages it takes, then the commit.
            while let first = page.first, first.revision == cursor.revision {
                let end = page.firstIndex { $0.revision != cursor.revision } ?? page.count
                report.indexed += try Self.invert(Array(page[..<end]), into: writer, shard: shard)
                cursor = (page[end - 1].revision, page[end - 1].pn)
                page = end < page.count ? Array(page[end...])
                    : try store.changedRecords(afterRevision: cursor.revision, pn: cursor.pn, limit: limit)
            }
            try writer.commit(storeRevision: cursor.revision, shard: shard)
            try writer.finishMerge(wait: false)
            try writer.startMerge(mergePolicy)
            progress?(report.indexed)
        }
        if writer.pendingCount > 0 || writer.manifest.shard != shard { try writer.commit(storeRevision: cursor.revision, shard: shard) }
        try writer.mergeTiers(mergePolicy)
        report.generation = writer.manifest.generation
        report.segments = writer.manifest.segments.count
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// The shard this update indexes: the one asked for, else the one the index holds.
    private func shardHeld(by manifest: IndexManifest) throws -> ShardRouting? {
        guard let shard else { return manifest.shard }
        guard manifest.shard != shard, !manifest.segments.isEmpty else { return shard }
        let holds = manifest.shard.map { "shard \($0.index) of \($0.count)" } ?? "every patent"
        throw IndexError.otherShard(holds: holds, asked: "shard \(shard.index) of \(shard.count)")
    }

    public static func familyIDs(_ families: [FamilyLevel: Int]) -> FamilyIDs {
        FamilyIDs(docdb: families[.docdb], inpadoc: families[.inpadoc], extended: families[.extended])
    }

    /// Decodes, analyses and inverts a page on all of the writer's threads, each taking a
    /// contiguous share. A record that cannot be decoded stops the update (nothing of the
    /// page is committed). With a shard, only its patents are indexed and the others removed.
    /// Returns the patents indexed.
    @discardableResult
    static func invert(_ records: [StoredRecord], into writer: IndexWriter, shard: ShardRouting? = nil) throws -> Int {
        var held = records
        if let shard {
            held = []
            for record in records {
                if shard.holds(pn: record.pn, extendedFamily: record.families[.extended]) {
                    held.append(record)
                } else {
                    writer.remove(record.pn)
                }
            }
        }
        let page = held
        let threads = writer.threads
        let share = (page.count + threads - 1) / threads
        let failure = Mutex<Error?>(nil)
        writer.update { i, add in
            for record in page[min(i * share, page.count)..<min((i + 1) * share, page.count)] {
                do {
                    let stored = try record.decoded()
                    add(IndexDocument(stored.patent, families: familyIDs(stored.families)))
                } catch {
                    failure.withLock { $0 = $0 ?? IndexError.corrupt("the stored record of \(record.pn) cannot be read: \(error)") }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return page.count
    }
}
