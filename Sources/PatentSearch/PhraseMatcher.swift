import PatentIndex

/// Exact phrases (and single tokens) in one field, read like Lucene's exact phrase
/// scorer: the slots' postings advance together in document order, positions are
/// decoded only in documents that hold every slot, and each document's occurrences are
/// matched through sorted keys — no per-document dictionaries.
enum PhraseMatcher {
    /// Spans where the terms (one per slot) occur at consecutive positions of one value,
    /// in the documents of `within` when given. Slots naming several terms (wildcard
    /// expansions) go through the evaluator's general matcher instead.
    static func spans(_ slots: [(term: String, stemmed: Bool)], field: IndexField, segment: Segment,
                      within: DocSet?) -> SpanMap {
        var cursors: [PostingsCursor] = []
        for slot in slots {
            guard let dictionary = segment.dictionary(field, stemmed: slot.stemmed), let i = dictionary.find(slot.term) else { return [:] }
            cursors.append(dictionary.postings(i, positional: true))
        }
        guard !cursors.isEmpty else { return [:] }
        for index in cursors.indices { guard (try? cursors[index].next()) == true else { return [:] } }
        var result: SpanMap = [:]
        var withinCursor = 0
        while true {
            // Leapfrog to a document every cursor is on.
            var target = cursors.map(\.doc).max()!
            if let within {
                while withinCursor < within.docs.count, within.docs[withinCursor] < Int32(target) { withinCursor += 1 }
                guard withinCursor < within.docs.count else { return result }
                target = max(target, Int(within.docs[withinCursor]))
            }
            var aligned = true
            for index in cursors.indices {
                while cursors[index].doc < target {
                    guard (try? cursors[index].next()) == true else { return result }
                }
                if cursors[index].doc > target { aligned = false }
            }
            guard aligned else { continue }
            let spans = match(&cursors, field: field)
            if !spans.isEmpty { result[Int32(target)] = spans }
            for index in cursors.indices { guard (try? cursors[index].next()) == true else { return result } }
        }
    }

    private static func key(_ value: Int32, _ position: Int32) -> Int64 { Int64(value) << 32 | Int64(position) }

    /// The phrase's spans in the document every cursor is on.
    private static func match(_ cursors: inout [PostingsCursor], field: IndexField) -> [Span] {
        let first = (try? cursors[0].occurrences()) ?? []
        var later: [(keys: [Int64], occurrences: [Occurrence])] = []
        for index in cursors.indices.dropFirst() {
            let occurrences = ((try? cursors[index].occurrences()) ?? []).sorted { key($0.value, $0.position) < key($1.value, $1.position) }
            later.append((occurrences.map { key($0.value, $0.position) }, occurrences))
        }
        var spans: [Span] = []
        for o in first {
            var last = o
            var found = true
            for (offset, slot) in later.enumerated() {
                let wanted = key(o.value, o.position + Int32(offset + 1))
                var low = 0
                var high = slot.keys.count
                while low < high {
                    let mid = (low + high) / 2
                    if slot.keys[mid] < wanted { low = mid + 1 } else { high = mid }
                }
                guard low < slot.keys.count, slot.keys[low] == wanted else { found = false; break }
                last = slot.occurrences[low]
            }
            if found {
                spans.append(Span(field: field, value: o.value, start: o.position, end: last.position,
                                  sentenceStart: o.sentence, sentenceEnd: last.sentence,
                                  paragraphStart: o.paragraph, paragraphEnd: last.paragraph))
            }
        }
        return spans
    }
}
