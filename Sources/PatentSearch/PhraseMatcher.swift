import PatentIndex

/// Exact phrases (and single tokens) in one field, read like Lucene's exact phrase
/// scorer: the slots' postings advance together in document order, positions are
/// decoded only in documents that hold every slot, and each document's occurrences are
/// matched through sorted keys — no per-document dictionaries. A phrase that is only
/// counted reads positions alone (`frequencies`).
enum PhraseMatcher {
    /// Spans where the terms (one per slot) occur at consecutive positions of one value,
    /// in the documents of `within` when given. Slots naming several terms (wildcard
    /// expansions) go through the evaluator's general matcher instead.
    static func spans(_ slots: [(term: String, stemmed: Bool)], field: IndexField, segment: Segment,
                      within: DocSet?) -> SpanMap {
        var result: SpanMap = [:]
        var scratch = Scratch(slots: slots.count)
        forEachDocument(slots, field: field, segment: segment, within: within) { cursors, doc in
            let spans = match(&cursors, field: field, scratch: &scratch)
            if !spans.isEmpty { result[doc] = spans }
        }
        return result
    }

    /// How often the phrase occurs in each document of the field, for a phrase whose spans
    /// are only counted (outside proximity, without `$FREQ`): the same documents and
    /// counts as `spans`, from the positions alone — nothing placed in sentences or
    /// paragraphs, no span kept.
    ///
    /// A slot's `offset` is its place in the phrase (a `WordPairs` term covers two places,
    /// so places may be skipped or covered twice); the first slot's is 0.
    static func frequencies(_ slots: [(term: String, stemmed: Bool, offset: Int32)], field: IndexField, segment: Segment) -> FieldFrequencies {
        var result = FieldFrequencies(field: field, docs: [], frequencies: [])
        var buffers = [[Int32]](repeating: [], count: slots.count)
        var at = [Int](repeating: 0, count: slots.count)
        let offsets = slots.map(\.offset)
        forEachDocument(slots.map { ($0.term, $0.stemmed) }, field: field, segment: segment, within: nil) { cursors, doc in
            let count = consecutive(&cursors, offsets: offsets, buffers: &buffers, at: &at)
            if count > 0 {
                result.docs.append(doc)
                result.frequencies.append(count)
            }
        }
        return result
    }

    /// Calls `body` with the slots' cursors on each document every one of them holds (and
    /// `within` when given), leapfrogging in document order.
    private static func forEachDocument(_ slots: [(term: String, stemmed: Bool)], field: IndexField, segment: Segment,
                                        within: DocSet?, _ body: (inout [PostingsCursor], Int32) -> Void) {
        var cursors: [PostingsCursor] = []
        for slot in slots {
            guard let dictionary = segment.dictionary(field, stemmed: slot.stemmed), let i = dictionary.find(slot.term) else { return }
            cursors.append(dictionary.postings(i, positional: true))
        }
        guard !cursors.isEmpty else { return }
        for index in cursors.indices { guard (try? cursors[index].next()) == true else { return } }
        var withinCursor = 0
        while true {
            var target = cursors[0].doc
            for index in cursors.indices.dropFirst() where cursors[index].doc > target { target = cursors[index].doc }
            if let within {
                while withinCursor < within.docs.count, within.docs[withinCursor] < Int32(target) { withinCursor += 1 }
                guard withinCursor < within.docs.count else { return }
                target = max(target, Int(within.docs[withinCursor]))
            }
            var aligned = true
            for index in cursors.indices {
                guard (try? cursors[index].advance(to: target)) == true else { return }
                if cursors[index].doc > target { aligned = false }
            }
            guard aligned else { continue }
            body(&cursors, Int32(target))
            for index in cursors.indices { guard (try? cursors[index].next()) == true else { return } }
        }
    }

    /// How many positions of the first slot start the phrase in the current document: the
    /// k-th slot at that position + its offset. Positions ascend, so one merge pass per
    /// slot; the buffers and the slots' read points (`at`) are reused across documents.
    private static func consecutive(_ cursors: inout [PostingsCursor], offsets: [Int32], buffers: inout [[Int32]],
                                    at: inout [Int]) -> Int32 {
        for index in cursors.indices {
            buffers[index].removeAll(keepingCapacity: true)
            guard (try? cursors[index].positions(appendingTo: &buffers[index])) != nil else { return 0 }
        }
        let slots = buffers.count
        guard slots > 1 else { return Int32(buffers[0].count) }
        for slot in 1..<slots { at[slot] = 0 }
        var count: Int32 = 0
        buffers[0].withUnsafeBufferPointer { first in
            for start in first {
                var found = true
                for slot in 1..<slots {
                    let wanted = start + offsets[slot]
                    found = buffers[slot].withUnsafeBufferPointer { list in
                        var i = at[slot]
                        while i < list.count, list[i] < wanted { i += 1 }
                        at[slot] = i
                        return i < list.count && list[i] == wanted
                    }
                    if !found { break }
                }
                if found { count += 1 }
            }
        }
        return count
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
