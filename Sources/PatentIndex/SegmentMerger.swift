/// Merges the segments of a generation into one, dropping deleted documents and
/// renumbering the live ones in segment order. Postings are copied term by term, so
/// nothing is analysed again.
enum SegmentMerger {
    static func merge(_ snapshot: IndexSnapshot) -> SegmentWriter {
        let writer = SegmentWriter()
        var remap: [[Int32]] = []
        for (s, segment) in snapshot.segments.enumerated() {
            var map = Array(repeating: Int32(-1), count: segment.documentCount)
            for doc in 0..<segment.documentCount where !snapshot.deletions[s].contains(doc) {
                let dates = Column.allCases.map { segment.value(doc, $0) }
                let norms = IndexField.textFields.map { UInt32(segment.norm(doc, $0)) }
                map[doc] = writer.addMetadata(pn: (try? segment.pn(doc)) ?? "", dates: dates, norms: norms)
            }
            remap.append(map)
        }
        for id in 0..<Segment.dictionaryCount {
            let field = Segment.field(of: id)
            let stemmed = id % 2 == 1
            var terms = Set<String>()
            for segment in snapshot.segments {
                guard let dictionary = segment.dictionary(field, stemmed: stemmed) else { continue }
                for i in 0..<dictionary.count { terms.insert(dictionary.term(i)) }
            }
            for term in terms.sorted() {
                for (s, segment) in snapshot.segments.enumerated() {
                    guard let dictionary = segment.dictionary(field, stemmed: stemmed), let i = dictionary.find(term) else { continue }
                    var postings = dictionary.postings(i, positional: field.isPositional)
                    while (try? postings.next()) == true {
                        let newDoc = remap[s][postings.doc]
                        guard newDoc >= 0 else { continue }
                        let occurrences = (try? postings.occurrences()) ?? []
                        writer.appendPosting(dictionary: id, term: term, doc: newDoc, frequency: Int32(postings.frequency),
                                             occurrences: occurrences)
                    }
                }
            }
        }
        return writer
    }
}
