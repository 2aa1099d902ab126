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
        var scratch = Scratch(slots: cursors.count)
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
            let spans = match(&cursors, field: field, scratch: &scratch)
            if !spans.isEmpty { result[Int32(target)] = spans }
            for index in cursors.indices { guard (try? cursors[index].next()) == true else { return result } }
        }
    }

    private static func key(_ value: Int32, _ position: Int32) -> Int64 { Int64(value) << 32 | Int64(position) }

    /// Occurrence buffers reused across documents: the first slot's, and the later
    /// slots' one after another (`starts[slot]` where each begins, a last entry at the end).
    private struct Scratch {
        var first: [Occurrence] = []
        var later: [Occurrence] = []
        var starts: [Int]
        var at: [Int]

        init(slots: Int) {
            starts = Array(repeating: 0, count: slots + 1)
            at = Array(repeating: 0, count: slots + 1)
        }
    }

    /// The phrase's spans in the document every cursor is on. Occurrences come in value
    /// and position order, so the wanted keys of each later slot only grow: one merge pass
    /// per slot.
    private static func match(_ cursors: inout [PostingsCursor], field: IndexField, scratch: inout Scratch) -> [Span] {
        scratch.first.removeAll(keepingCapacity: true)
        scratch.later.removeAll(keepingCapacity: true)
        guard (try? cursors[0].occurrences(appendingTo: &scratch.first)) != nil else { return [] }
        for slot in 1..<cursors.count {
            scratch.starts[slot] = scratch.later.count
            scratch.at[slot] = scratch.later.count
            guard (try? cursors[slot].occurrences(appendingTo: &scratch.later)) != nil else { return [] }
        }
        scratch.starts[cursors.count] = scratch.later.count
        var spans: [Span] = []
        let slots = cursors.count
        scratch.first.withUnsafeBufferPointer { first in
            scratch.later.withUnsafeBufferPointer { later in
                for o in first {
                    var last = o
                    var found = true
                    for slot in 1..<slots {
                        let wanted = key(o.value, o.position + Int32(slot))
                        let end = scratch.starts[slot + 1]
                        var at = scratch.at[slot]
                        while at < end, key(later[at].value, later[at].position) < wanted { at += 1 }
                        scratch.at[slot] = at
                        guard at < end, key(later[at].value, later[at].position) == wanted else {
                            found = false
                            break
                        }
                        last = later[at]
                    }
                    if found {
                        spans.append(Span(field: field, value: o.value, start: o.position, end: last.position,
                                          sentenceStart: o.sentence, sentenceEnd: last.sentence,
                                          paragraphStart: o.paragraph, paragraphEnd: last.paragraph))
                    }
                }
            }
        }
        return spans
    }
}
