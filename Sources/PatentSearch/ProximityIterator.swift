import PatentIndex
import PatentQuery

/// A proximity of two single words in one field, streamed (Lucene's and Tantivy's phrase
/// scorers do the same for their phrases): the words' postings advance together, and
/// only in documents holding both are their positions decoded, into buffers reused
/// across documents, and joined in one pass — `$W`/`$PRE` as a window over the two
/// sorted position lists, `$SEN`/`$PARA` by placing both words' positions in one walk of
/// the structure. It answers exactly as `SpanOperations.proximity` on the words' spans: single-word
/// spans never overlap unless they are the same occurrence, and positions closer than
/// `FieldStructure.valueGap` lie in one value.
final class ProximityIterator: DocIterator {
    private var left: PostingsCursor
    private var right: PostingsCursor
    private let op: ProximityOperator
    private let estimate: Int
    private var leftPositions: [Int32] = []
    private var rightPositions: [Int32] = []
    private var merged: [Int32] = []
    private var sides: [UInt8] = []

    /// Nil when the operator's window could reach past a value (it then needs spans).
    init?(_ left: PostingsCursor, _ op: ProximityOperator, _ right: PostingsCursor) {
        switch op {
        case .within(let n), .preceding(let n):
            guard n >= 0, n < FieldStructure.valueGap - 1 else { return nil }
        case .sentence, .paragraph:
            break
        }
        self.left = left
        self.right = right
        self.op = op
        estimate = min(left.remaining, right.remaining)
    }

    override var cost: Int { estimate }

    override func next() -> Int32 { search(from: doc + 1) }

    override func advance(to target: Int32) -> Int32 {
        guard doc < target else { return doc }
        return search(from: target)
    }

    private func search(from start: Int32) -> Int32 {
        var target = Int(start)
        while true {
            guard (try? left.advance(to: target)) == true else { break }
            target = left.doc
            guard (try? right.advance(to: target)) == true else { break }
            if right.doc > target {
                target = right.doc
                continue
            }
            if holds() {
                doc = Int32(truncatingIfNeeded: target)
                return doc
            }
            target += 1
        }
        doc = DocIterator.end
        return doc
    }

    /// Whether the words' occurrences in the current document satisfy the operator.
    private func holds() -> Bool {
        leftPositions.removeAll(keepingCapacity: true)
        rightPositions.removeAll(keepingCapacity: true)
        guard (try? left.positions(appendingTo: &leftPositions)) != nil,
              (try? right.positions(appendingTo: &rightPositions)) != nil else { return false }
        switch op {
        case .within(let n), .preceding(let n):
            let reach = Int32(n + 1)
            let eitherOrder = if case .within = op { true } else { false }
            var j = 0
            for a in leftPositions {
                // Right positions before a − reach can serve no later left position either.
                while j < rightPositions.count, rightPositions[j] < a - reach { j += 1 }
                var k = j
                while k < rightPositions.count, rightPositions[k] <= a + reach {
                    let b = rightPositions[k]
                    if b > a || (eitherOrder && b < a) { return true }
                    k += 1
                }
            }
            return false
        case .sentence, .paragraph:
            // Both words' positions merged (sides kept) and placed by one walk of the
            // structure; the units only grow along it, so equal units are neighbours.
            merged.removeAll(keepingCapacity: true)
            sides.removeAll(keepingCapacity: true)
            var i = 0
            var j = 0
            while i < leftPositions.count || j < rightPositions.count {
                if j == rightPositions.count || (i < leftPositions.count && leftPositions[i] <= rightPositions[j]) {
                    merged.append(leftPositions[i])
                    sides.append(0)
                    i += 1
                } else {
                    merged.append(rightPositions[j])
                    sides.append(1)
                    j += 1
                }
            }
            return (try? left.shareUnit(merged, sides: sides, sentences: op == .sentence)) ?? false
        }
    }
}
