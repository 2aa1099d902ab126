import Foundation

/// A merge running on a thread of its own while the writer goes on committing: its
/// inputs as they were when it started, the id its output takes, and (once it has
/// ended) the merged segment's document count.
struct SegmentMerge {
    let inputs: IndexSnapshot
    let output: Int
    let documents: BackgroundWork<(documents: Int, normSums: [Int])>

    init(inputs: IndexSnapshot, output: Int, directory: any IndexDirectory) {
        self.inputs = inputs
        self.output = output
        documents = BackgroundWork { try SegmentMerger.merge(inputs, into: directory, id: output) }
    }
}

extension IndexWriter {
    /// Starts merging what `policy` picks, on a thread of its own, unless a merge is
    /// already running. Commits go on meanwhile; `finishMerge` publishes the result.
    public func startMerge(_ policy: TieredMergePolicy) throws {
        guard runningMerge == nil, let ids = policy.merge(manifest.segments) else { return }
        let all = try IndexSnapshot.open(directory: directory, manifest: manifest)
        let picked = all.segments.indices.filter { ids.contains(all.segments[$0].id) }
        var inputs = manifest
        inputs.segments = picked.map { manifest.segments[$0] }
        let snapshot = IndexSnapshot(directory: directory, manifest: inputs, segments: picked.map { all.segments[$0] },
                                     deletions: picked.map { all.deletions[$0] })
        // The output's id is taken now: commits meanwhile number their segments after it.
        let output = manifest.nextSegment
        manifest.nextSegment += 1
        runningMerge = SegmentMerge(inputs: snapshot, output: output, directory: directory)
    }

    /// Publishes the running merge as a new generation — at once if it has ended, else
    /// only when `wait` says to wait for it. Documents deleted in its inputs while it ran
    /// are deleted in its output too.
    public func finishMerge(wait: Bool) throws {
        guard let merge = runningMerge, wait || merge.documents.isFinished else { return }
        defer { runningMerge = nil }
        let (documents, normSums) = try merge.documents.value()
        let current = try IndexSnapshot.open(directory: directory, manifest: manifest)
        var next = manifest
        next.generation += 1
        // The output numbers the inputs' documents live at the start, in input order.
        var deleted = DeletionSet(documents: documents)
        var number = 0
        for (k, segment) in merge.inputs.segments.enumerated() {
            // A segment a commit dropped meanwhile had every document deleted.
            let now = current.segments.firstIndex { $0.id == segment.id }
            for doc in 0..<segment.documentCount where !merge.inputs.deletions[k].contains(doc) {
                if now.map({ current.deletions[$0].contains(doc) }) ?? true { deleted.insert(number) }
                number += 1
            }
        }
        let ids = Set(merge.inputs.segments.map(\.id))
        let position = next.segments.firstIndex { ids.contains($0.id) } ?? next.segments.count
        next.segments.removeAll { ids.contains($0.id) }
        if documents > deleted.count {
            var entry = IndexManifest.SegmentEntry(id: merge.output, documents: documents, normSums: normSums)
            if deleted.count > 0 { try write(deleted, of: &entry, generation: next.generation) }
            next.segments.insert(entry, at: min(position, next.segments.count))
        }
        try next.save(to: directory)
        manifest = next
        runningMerge = nil
        try collectGarbage()
    }

    /// Merges by `policy` until no tier is full, waiting for each (the end of a build).
    public func mergeTiers(_ policy: TieredMergePolicy) throws {
        try finishMerge(wait: true)
        while policy.merge(manifest.segments) != nil {
            try startMerge(policy)
            try finishMerge(wait: true)
        }
    }
}
