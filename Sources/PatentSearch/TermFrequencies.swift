import PatentIndex

/// How often one query term occurs in each document of one text field: what BM25
/// needs, without positions. Documents are sorted.
struct FieldFrequencies {
    let field: IndexField
    var docs: [Int32]
    var frequencies: [Int32]

    /// A single-token term read from the postings' document lists alone (no positions):
    /// the frequencies of every dictionary term the slot names, summed per document.
    static func read(_ terms: [String], field: IndexField, stemmed: Bool, segment: Segment) -> FieldFrequencies {
        var result = FieldFrequencies(field: field, docs: [], frequencies: [])
        guard let dictionary = segment.dictionary(field, stemmed: stemmed) else { return result }
        let found = terms.compactMap { dictionary.find($0) }
        if found.count == 1 {
            var postings = dictionary.postings(found[0], positional: false)
            result.docs.reserveCapacity(postings.remaining)
            result.frequencies.reserveCapacity(postings.remaining)
            while (try? postings.next()) == true {
                result.docs.append(Int32(postings.doc))
                result.frequencies.append(Int32(postings.frequency))
            }
            return result
        }
        guard !found.isEmpty else { return result }
        // Several terms (a wildcard's expansions), frequencies summed per document: a few
        // postings are sorted; more are summed in an array over the segment's documents,
        // with a bitmap of the documents seen — the array is never zeroed (a document's
        // count is valid once its bit is set) and is read off through the bitmap's set bits
        // in document order, not by scanning every document.
        let postingsCount = found.reduce(0) { $0 + dictionary.documentFrequency($1) }
        guard postingsCount >= segment.documentCount / 1_024 else {
            var pairs: [(Int32, Int32)] = []
            pairs.reserveCapacity(postingsCount)
            for i in found {
                var postings = dictionary.postings(i, positional: false)
                while (try? postings.next()) == true { pairs.append((Int32(postings.doc), Int32(clamping: postings.frequency))) }
            }
            pairs.sort { $0.0 < $1.0 }
            for (doc, frequency) in pairs {
                if result.docs.last == doc {
                    result.frequencies[result.frequencies.count - 1] &+= frequency
                } else {
                    result.docs.append(doc)
                    result.frequencies.append(frequency)
                }
            }
            return result
        }
        let documents = segment.documentCount
        let seen = DocumentBitmap(documents: documents)
        let counts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(documents, 1))
        defer { counts.deallocate() }
        var distinct = 0
        for i in found {
            var postings = dictionary.postings(i, positional: false)
            while (try? postings.next()) == true, postings.doc < documents {
                let doc = postings.doc
                let frequency = Int32(clamping: postings.frequency)
                if seen.insert(Int32(doc)) {
                    counts[doc] = frequency
                    distinct += 1
                } else {
                    counts[doc] &+= frequency
                }
            }
        }
        result.docs.reserveCapacity(distinct)
        result.frequencies.reserveCapacity(distinct)
        seen.forEach { doc in
            result.docs.append(doc)
            result.frequencies.append(counts[Int(doc)])
        }
        return result
    }

    /// Per text field (in `IndexField.textFields` order), the number of spans each document
    /// holds (phrases, proximity, $FREQ).
    static func counting(_ spans: SpanMap) -> [FieldFrequencies] {
        var perField: [IndexField: [(Int32, Int32)]] = [:]
        for (doc, list) in spans {
            var counts: [IndexField: Int32] = [:]
            for span in list where span.field.kind == .text { counts[span.field, default: 0] += 1 }
            for (field, count) in counts { perField[field, default: []].append((doc, count)) }
        }
        return perField.sorted { $0.key.rawValue < $1.key.rawValue }.map { field, pairs in
            let sorted = pairs.sorted { $0.0 < $1.0 }
            return FieldFrequencies(field: field, docs: sorted.map(\.0), frequencies: sorted.map(\.1))
        }
    }
}
