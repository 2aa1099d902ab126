import PatentIndex
import PatentQuery

/// Keyword terms (numbers, codes, classes, family ids) as document iterators: postings, or
/// for single-valued codes a check of their column.
extension QueryEvaluator {
    /// A number, code or class term: its postings in each keyword field, united. A wildcard
    /// naming more terms than a union walks well is merged into a list beforehand.
    func keywordIterator(_ term: Term, fields: [IndexField]) -> DocIterator {
        if let frequency = term.minimumFrequency, frequency > 1 { return EmptyIterator() }
        if let check = columnCheck(term, fields: fields) { return check }
        return keywordPostings(term, fields: fields)
    }

    /// A keyword term's postings in each of `fields`, united.
    func keywordPostings(_ term: Term, fields: [IndexField]) -> DocIterator {
        var cursors: [PostingsCursor] = []
        for field in fields {
            guard let dictionary = segment.dictionary(field) else { continue }
            var terms: [Int] = []
            if term.kind == .wildcard {
                terms = WildcardPattern(KeywordTerms.pattern(term.text, field: field)).matchingTerms(in: dictionary)
            } else if let key = KeywordTerms.term(term.text, field: field), let i = dictionary.find(key) {
                terms = [i]
            }
            for i in terms { cursors.append(dictionary.postings(i, positional: false)) }
        }
        guard cursors.count > Self.widestUnion else { return union(cursors.map(PostingsIterator.init)) }
        var docs: [Int32] = []
        for var postings in cursors {
            while (try? postings.next()) == true { docs.append(Int32(postings.doc)) }
        }
        return ListIterator(DocSet(unsorted: docs))
    }

    /// An office, kind code or patent type as a check of its column instead of a postings
    /// list: inside a conjunction it is tested on the other clauses' documents only. Each
    /// document has one value in these fields, and its column holds that value packed
    /// (`Column.pack`, written beside the keyword by `PatentDocument`); packing is exact for
    /// values of one to three bytes (a longer value packs to a larger number), so longer
    /// ones and wildcards keep their postings.
    func columnCheck(_ term: Term, fields: [IndexField]) -> ColumnRangeIterator? {
        guard term.kind != .wildcard, fields.count == 1, let column = Self.valueColumns[fields[0]],
              let key = KeywordTerms.term(term.text, field: fields[0]), (1...3).contains(key.utf8.count), !key.utf8.contains(0) else {
            return nil
        }
        let value = Column.pack(key)
        return ColumnRangeIterator(segment: segment, column: column, low: value, high: value,
                                   keywordPostings: keywordPostings(term, fields: fields))
    }

    /// The keyword fields whose single value per document is also a column.
    private static let valueColumns: [IndexField: Column] = [.authority: .office, .kindCode: .kind, .patentType: .patentType]

    /// The most clauses a union is built with; more are merged beforehand (a union looks at
    /// every clause for each document).
    static let widestUnion = 16
}
