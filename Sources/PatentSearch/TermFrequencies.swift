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
        var lists: [FieldFrequencies] = []
        for term in terms {
            guard let i = dictionary.find(term) else { continue }
            var list = FieldFrequencies(field: field, docs: [], frequencies: [])
            var postings = dictionary.postings(i, positional: false)
            list.docs.reserveCapacity(postings.remaining)
            list.frequencies.reserveCapacity(postings.remaining)
            while (try? postings.next()) == true {
                list.docs.append(Int32(postings.doc))
                list.frequencies.append(Int32(postings.frequency))
            }
            lists.append(list)
        }
        guard lists.count > 1 else { return lists.first ?? result }
        // Several terms (a wildcard's expansions): merge, summing per document.
        var pairs: [(Int32, Int32)] = []
        for list in lists { pairs += zip(list.docs, list.frequencies) }
        pairs.sort { $0.0 < $1.0 }
        for (doc, frequency) in pairs {
            if result.docs.last == doc {
                result.frequencies[result.frequencies.count - 1] += frequency
            } else {
                result.docs.append(doc)
                result.frequencies.append(frequency)
            }
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
