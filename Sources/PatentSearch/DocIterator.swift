import PatentIndex

/// The matching documents of one query node in one segment, produced in ascending order
/// as they are asked for (Lucene's `DocIdSetIterator`, Tantivy's `DocSet`): a query is a
/// tree of these, and only the documents the tree's root reaches are ever produced. A
/// conjunction asks its other clauses to `advance(to:)` its lead's documents, so a long
/// postings list under a short one is read only in the blocks that can hold a match.
///
/// `doc` is −1 before the first call and `DocIterator.end` once exhausted.
class DocIterator {
    static let end = Int32.max
    final var doc: Int32 = -1

    /// About how many documents the iterator yields: a conjunction leads with its cheapest clause.
    var cost: Int { 0 }

    /// Moves to the next document and returns it (`end` when there is none).
    func next() -> Int32 { fatalError("DocIterator.next is abstract") }

    /// Moves to the first document at or after `target` and returns it; stays when it is
    /// there already.
    func advance(to target: Int32) -> Int32 {
        while doc < target { _ = next() }
        return doc
    }
}

/// Nothing matches (a term the segment does not hold).
final class EmptyIterator: DocIterator {
    override func next() -> Int32 {
        doc = DocIterator.end
        return doc
    }

    override func advance(to target: Int32) -> Int32 { next() }
}

/// Every document of the segment (what a leading NOT subtracts from); deleted documents
/// are removed at the root.
final class AllDocumentsIterator: DocIterator {
    let count: Int32

    init(count: Int) { self.count = Int32(clamping: count) }

    override var cost: Int { Int(count) }

    override func next() -> Int32 { advance(to: doc + 1) }

    override func advance(to target: Int32) -> Int32 {
        doc = max(doc, target) < count ? max(doc, target) : DocIterator.end
        return doc
    }
}

/// A sorted document list computed beforehand (phrases, proximity, `$FREQ`, wildcards).
final class ListIterator: DocIterator {
    private let docs: [Int32]
    private var index = -1

    init(_ set: DocSet) { docs = set.docs }

    override var cost: Int { docs.count }

    override func next() -> Int32 {
        index += 1
        doc = index < docs.count ? docs[index] : DocIterator.end
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        // Gallop: targets usually lie near.
        var step = 1
        var low = index + 1
        while low + step < docs.count, docs[low + step] < target {
            low += step
            step <<= 1
        }
        var high = min(docs.count, low + step + 1)
        while low < high {
            let mid = (low + high) / 2
            if docs[mid] < target { low = mid + 1 } else { high = mid }
        }
        index = low
        doc = index < docs.count ? docs[index] : DocIterator.end
        return doc
    }
}

/// One term's postings in one field, documents and frequencies, jumping blocks by the skip
/// entries on `advance(to:)`.
final class PostingsIterator: DocIterator {
    private var cursor: PostingsCursor
    private let documentFrequency: Int

    init(_ cursor: PostingsCursor) {
        self.cursor = cursor
        documentFrequency = cursor.remaining
    }

    override var cost: Int { documentFrequency }

    /// The term's frequency in `doc`.
    var frequency: Int { cursor.frequency }

    override func next() -> Int32 {
        // A damaged block ends the list rather than the search (the segment's checksums
        // are verified when it is opened).
        doc = (try? cursor.next()) == true ? Int32(truncatingIfNeeded: cursor.doc) : DocIterator.end
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        doc = (try? cursor.advance(to: Int(target))) == true ? Int32(truncatingIfNeeded: cursor.doc) : DocIterator.end
        return doc
    }

    /// Block-max: calls `body` with the term's documents in order, except the full blocks
    /// whose best score over their impacts (`score`) is below `minimum()` — jumped without
    /// being decoded. Returns how many were jumped.
    func forEach(score: (_ frequency: Int, _ fieldLength: Int) -> Double, minimum: () -> Double?,
                 _ body: (Int32) -> Void) -> Int {
        var skipped = 0
        while true {
            if let k = cursor.blockAhead, let least = minimum(), let bound = try? cursor.maxScore(ofBlock: k, score),
               bound < least, (try? cursor.skipBlockAhead()) != nil {
                skipped += 1
                continue
            }
            guard next() != DocIterator.end else { return skipped }
            body(doc)
        }
    }
}

/// Documents any clause holds. Every clause stays at or after the union's document, so a
/// clause on `doc` is one that holds it.
final class UnionIterator: DocIterator {
    let clauses: [DocIterator]
    /// `clauses` walked without reference counting per document (they live as long as `clauses`).
    private let walked: [Unmanaged<DocIterator>]
    private let totalCost: Int

    init(_ clauses: [DocIterator]) {
        self.clauses = clauses
        walked = clauses.map(Unmanaged.passUnretained)
        totalCost = clauses.reduce(0) { $0 &+ $1.cost }
    }

    override var cost: Int { totalCost }

    override func next() -> Int32 {
        let current = doc
        var least = DocIterator.end
        walked.withUnsafeBufferPointer { clauses in
            for clause in clauses {
                let at = clause._withUnsafeGuaranteedRef { $0.doc <= current ? $0.next() : $0.doc }
                if at < least { least = at }
            }
        }
        doc = least
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        var least = DocIterator.end
        walked.withUnsafeBufferPointer { clauses in
            for clause in clauses {
                let at = clause._withUnsafeGuaranteedRef { $0.doc < target ? $0.advance(to: target) : $0.doc }
                if at < least { least = at }
            }
        }
        doc = least
        return doc
    }
}

/// Documents every clause holds: the cheapest clause leads and the others are advanced
/// to its documents (leapfrog); column checks (dates) are tested on the documents all
/// clauses agree on, never iterated.
final class ConjunctionIterator: DocIterator {
    private let lead: DocIterator
    private let others: [DocIterator]
    /// `others` walked without reference counting per document (they live as long as `others`).
    private let walked: [Unmanaged<DocIterator>]
    private let checks: [ColumnRangeIterator]

    /// `clauses` must not be empty unless `checks` is not: with no clause to lead, the
    /// first check is iterated.
    init(_ clauses: [DocIterator], checks: [ColumnRangeIterator]) {
        var ordered = clauses.sorted { $0.cost < $1.cost }
        var checks = checks
        if ordered.isEmpty { ordered = [checks.removeFirst()] }
        lead = ordered[0]
        others = Array(ordered.dropFirst())
        walked = others.map(Unmanaged.passUnretained)
        self.checks = checks
    }

    override var cost: Int { lead.cost }

    override func next() -> Int32 { align(lead.next()) }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        return align(lead.advance(to: target))
    }

    private func align(_ start: Int32) -> Int32 {
        var candidate = start
        walked.withUnsafeBufferPointer { others in
            search: while candidate != DocIterator.end {
                for other in others {
                    let at = other._withUnsafeGuaranteedRef { $0.advance(to: candidate) }
                    if at > candidate {
                        candidate = lead.advance(to: at)
                        continue search
                    }
                }
                for check in checks where !check.holds(candidate) {
                    candidate = lead.next()
                    continue search
                }
                break
            }
        }
        doc = candidate
        return doc
    }
}

/// Documents of `required` that `excluded` does not hold (AND NOT).
final class ExclusionIterator: DocIterator {
    private let required: DocIterator
    private let excluded: DocIterator
    /// `excluded` when it is a column check: tested on each document, never iterated.
    private let excludedCheck: ColumnRangeIterator?

    init(_ required: DocIterator, excluding excluded: DocIterator) {
        self.required = required
        self.excluded = excluded
        excludedCheck = excluded as? ColumnRangeIterator
    }

    override var cost: Int { required.cost }

    override func next() -> Int32 { settle(required.next()) }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        return settle(required.advance(to: target))
    }

    private func settle(_ start: Int32) -> Int32 {
        var candidate = start
        if let excludedCheck {
            while candidate != DocIterator.end, excludedCheck.holds(candidate) { candidate = required.next() }
        } else {
            while candidate != DocIterator.end, excluded.advance(to: candidate) == candidate { candidate = required.next() }
        }
        doc = candidate
        return doc
    }
}

/// Documents whose date column lies in a range (0, no date, never does). Iterated it scans
/// the column a window at a time without a branch per document (the matches of a window
/// are written out unconditionally and counted); inside a conjunction it is only tested
/// on the other clauses' documents.
final class ColumnRangeIterator: DocIterator {
    private let values: ColumnValues
    /// The range as `value − low ≤ span` in unsigned arithmetic: one compare, and 0 (no
    /// date) falls outside because `low` is at least 1.
    private let low: Int32
    private let span: UInt32
    private let isEmpty: Bool
    private let count: Int32
    private var window: [Int32] = []
    private var windowCount = 0
    private var windowIndex = 0
    /// The first document not scanned yet.
    private var scanned: Int32 = 0

    static let windowSize = 512

    /// For a keyword value checked on its column (`QueryEvaluator.columnCheck`): its
    /// postings (their `cost` how many documents hold it), for a conjunction whose other
    /// clauses are all longer (leading with the short postings then beats testing each of theirs).
    let keywordPostings: DocIterator?

    /// The column checked, and the values it holds (nil: none, as for `low > high`).
    let column: Column
    var range: ClosedRange<Int32>? { isEmpty ? nil : low...(low &+ Int32(bitPattern: span)) }

    init(segment: Segment, column: Column, low: Int32, high: Int32, keywordPostings: DocIterator? = nil) {
        self.keywordPostings = keywordPostings
        self.column = column
        values = segment.columns.values(column)
        self.low = max(low, 1)
        isEmpty = high < self.low
        span = isEmpty ? 0 : UInt32(bitPattern: high &- self.low)
        count = Int32(clamping: segment.documentCount)
    }

    override var cost: Int { Int(count) }

    @inline(__always)
    func holds(_ doc: Int32) -> Bool { !isEmpty && UInt32(bitPattern: values[doc] &- low) <= span }

    override func next() -> Int32 {
        while windowIndex == windowCount {
            guard scanned < count, !isEmpty else {
                doc = DocIterator.end
                return doc
            }
            scan()
        }
        doc = window[windowIndex]
        windowIndex += 1
        return doc
    }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        if windowIndex < windowCount, window[windowCount - 1] >= target {
            while window[windowIndex] < target { windowIndex += 1 }
        } else {
            windowIndex = 0
            windowCount = 0
            scanned = max(scanned, target)
        }
        return next()
    }

    /// Fills the window with the matches among the next `windowSize` documents.
    private func scan() {
        if window.isEmpty { window = [Int32](repeating: 0, count: Self.windowSize) }
        let end = min(count, scanned &+ Int32(Self.windowSize))
        var found = 0
        window.withUnsafeMutableBufferPointer { out in
            var doc = scanned
            while doc < end {
                out[found] = doc
                found &+= UInt32(bitPattern: values[doc] &- low) <= span ? 1 : 0
                doc += 1
            }
        }
        scanned = end
        windowCount = found
        windowIndex = 0
    }
}
