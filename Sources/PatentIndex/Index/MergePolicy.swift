/// Which segments to merge while an index grows (Lucene's log merge policy): segments
/// fall into tiers by their live documents — tier 0 below `smallest × segmentsPerTier`,
/// each next tier `segmentsPerTier` times larger — and as soon as one tier holds
/// `segmentsPerTier` segments they are merged into one, which lands a tier up. A build
/// of n documents so keeps O(segmentsPerTier · log n) segments and writes each document
/// O(log n) times.
public struct TieredMergePolicy: Sendable, Equatable {
    public var segmentsPerTier = 10
    /// Segments smaller than this many live documents count as this size.
    public var smallest = 10_000

    public init(segmentsPerTier: Int = 10, smallest: Int = 10_000) {
        self.segmentsPerTier = max(segmentsPerTier, 2)
        self.smallest = max(smallest, 1)
    }

    /// The tier of a segment of `documents` live documents.
    func tier(_ documents: Int) -> Int {
        var tier = 0
        var bound = smallest * segmentsPerTier
        while documents >= bound, tier < 30 {
            tier += 1
            bound = bound.multipliedReportingOverflow(by: segmentsPerTier).overflow ? .max : bound * segmentsPerTier
        }
        return tier
    }

    /// The ids of the segments to merge next (the first `segmentsPerTier` of the lowest
    /// full tier, in manifest order), or nil. One merge runs at a time
    /// (`IndexWriter.startMerge`), so every segment of the manifest is a candidate.
    public func merge(_ segments: [IndexManifest.SegmentEntry]) -> [Int]? {
        var tiers: [Int: [Int]] = [:]
        for segment in segments {
            tiers[tier(segment.documents - segment.deleted), default: []].append(segment.id)
        }
        for tier in tiers.keys.sorted() where tiers[tier]!.count >= segmentsPerTier {
            return Array(tiers[tier]!.prefix(segmentsPerTier))
        }
        return nil
    }
}
