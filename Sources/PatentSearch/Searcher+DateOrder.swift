import PatentIndex

/// Queries without a scored term (classes, numbers, offices, dates alone): every match
/// scores 0, so relevance order is the segment's stored `DateOrder`, and the best k
/// are its first k matches — not all matches ranked.
extension Searcher {
    /// Counts the segment's matches and offers its best `wanted` to `top`; returns the count.
    func collectInDateOrder(_ plan: SegmentPlan, segment index: Int, wanted: Int, order: ResultOrder,
                            into top: inout TopHits<SegmentPNs>) -> Int {
        let segment = snapshot.segments[index]
        func offer(_ doc: Int32) { top.offer(order.candidate(score: 0, segment: segment, index: index, doc: doc)) }
        let documents = segment.documentCount
        let deletions = snapshot.deletions[index]
        // Walking the date order to the k-th match takes about k · documents / matches steps
        // of a check; ranking every match costs several steps per match.
        func walkPays(_ matches: Int) -> Bool {
            let (product, overflow) = wanted.multipliedReportingOverflow(by: documents)
            return matches > wanted && !overflow && product / matches <= matches
        }
        /// Offers the first `wanted` documents of the date order `isMatch` accepts.
        func walk(_ isMatch: (Int32) -> Bool) {
            let dateOrder = segment.dateOrder()
            var taken = 0
            for position in 0..<dateOrder.count {
                let doc = dateOrder[position]
                guard doc >= 0, Int(doc) < documents, isMatch(doc) else { continue }
                offer(doc)
                taken += 1
                if taken == wanted { return }
            }
        }
        if let range = plan.root as? ColumnRangeIterator {
            if range.column == .publicationDate, range.keywordPostings == nil {
                return collectDateRun(range.range, segment: index, wanted: wanted, offer)
            }
            if range.keywordPostings is EmptyIterator { return 0 }
            // An office, kind or type alone: counted by its postings, checked on its column.
            if deletions.count == 0, let postings = range.keywordPostings as? PostingsIterator, walkPays(postings.cost) {
                walk { range.holds($0) }
                return postings.cost
            }
        }
        var total = 0
        // A lone term's cost is its match count (nothing deleted): when the walk pays, its
        // matches go straight to a bitmap. Otherwise they are gathered first, and every
        // one is ranked when they turn out too few for the walk to pay.
        guard plan.root is PostingsIterator, deletions.count == 0, walkPays(plan.root.cost) else {
            var matches: [Int32] = []
            matches.reserveCapacity(min(plan.root.cost, documents))
            forEachMatch(plan, segment: index) { matches.append($0) }
            if walkPays(matches.count) {
                let bits = DocumentBitmap(matches, documents: documents)
                walk { bits.contains($0) }
            } else {
                for doc in matches { offer(doc) }
            }
            return matches.count
        }
        let bits = DocumentBitmap(documents: documents)
        forEachMatch(plan, segment: index) { doc in
            total += 1
            bits.insert(doc)
        }
        walk { bits.contains($0) }
        return total
    }

    /// A publication date range alone: its matches are one run of the date order, found by
    /// two binary searches (dates descend along it, undated documents last).
    private func collectDateRun(_ range: ClosedRange<Int32>?, segment index: Int, wanted: Int, _ offer: (Int32) -> Void) -> Int {
        guard let range else { return 0 }
        let segment = snapshot.segments[index]
        let deletions = snapshot.deletions[index]
        let dateOrder = segment.dateOrder()
        let dates = segment.columns.values(.publicationDate)
        let documents = segment.documentCount
        func date(at position: Int) -> Int32 {
            let doc = dateOrder[position]
            return doc >= 0 && Int(doc) < documents ? dates[doc] : 0
        }
        /// The first position whose date is below `bound` (dates descend).
        func firstBelow(_ bound: Int32) -> Int {
            var (low, high) = (0, dateOrder.count)
            while low < high {
                let mid = low + (high - low) / 2
                if date(at: mid) < bound { high = mid } else { low = mid + 1 }
            }
            return low
        }
        let start = range.upperBound == Int32.max ? 0 : firstBelow(range.upperBound + 1)
        let end = firstBelow(range.lowerBound)
        guard start < end else { return 0 }
        var total = 0
        for position in start..<end {
            let doc = dateOrder[position]
            guard doc >= 0, Int(doc) < documents, !deletions.contains(Int(doc)) else { continue }
            if total < wanted { offer(doc) }
            total += 1
            if total >= wanted && deletions.count == 0 { return end - start }
        }
        return total
    }
}
