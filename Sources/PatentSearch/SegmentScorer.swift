import Foundation
import PatentIndex

/// BM25 (k1, b) of QUERY.md §5 for the matches of one segment: the sum, over every
/// positive text term (in leaf order) and each of its fields (in field order), of the
/// field weight × idf × saturation of the term's frequency in the document. Which
/// clauses of the boolean tree matched does not matter: a term counts wherever it occurs.
/// Documents are scored in ascending order, so each term's frequencies are read by
/// moving forward only.
final class SegmentScorer {
    /// Structs read in place (`score`): iterating an array of objects cost a retain and a
    /// release per term and document.
    private var terms: ContiguousArray<TermScorer>

    init(_ leaves: [LeafStatistics], searcher: Searcher, scoring: Scoring, segment: Segment, frequencies: [Int: [IndexField: Int]]) {
        let n = Double(max(1, scoring.documents))
        var terms: ContiguousArray<TermScorer> = []
        for leaf in leaves {
            for source in leaf.fields {
                let df = Double(frequencies[leaf.leaf]?[source.field] ?? 1)
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                let weight = (searcher.weights[source.field] ?? 0) * idf
                guard weight != 0 else { continue }
                terms.append(TermScorer(source, weight: weight, average: scoring.averageLength(source.field),
                                        k1: searcher.k1, b: searcher.b, columns: segment.columns,
                                        lengthFactors: scoring.lengthFactors[source.field] ?? []))
            }
        }
        self.terms = terms
    }

    /// For a query of one term in one field whose frequencies come from `iterator` (the
    /// matching tree itself): the score of a document by its frequency and field length —
    /// the expression `score` evaluates, which grows with the frequency and falls with the
    /// length (each floating-point step is monotonic, so a bound from a block's impacts holds
    /// bit for bit). Nil for any other query.
    func singleTermScore(for iterator: PostingsIterator) -> ((_ frequency: Int, _ fieldLength: Int) -> Double)? {
        guard terms.count == 1, terms[0].reads(iterator) else { return nil }
        let term = terms[0]
        return { frequency, length in term.contribution(frequency, length: length) }
    }

    /// Whether every document scores 0 (no positive text term).
    var isConstant: Bool { terms.isEmpty }

    func score(_ doc: Int32) -> Double {
        // An empty array's storage is shared, so a mutable pointer to it would copy it per call.
        guard !terms.isEmpty else { return 0 }
        return terms.withUnsafeMutableBufferPointer { terms in
            var total = 0.0
            for i in terms.indices {
                let tf = terms[i].frequency(doc)
                if tf > 0 { total += terms[i].contribution(tf, doc: doc) }
            }
            return total
        }
    }
}

/// One term in one field: where its frequencies come from and its BM25 constants.
private struct TermScorer {
    private enum Source { case shared, list, postings }

    private let source: Source
    /// `.shared`: the matching tree's iterator, read without reference counting (the plan
    /// holds it for the scorer's life).
    private let shared: Unmanaged<PostingsIterator>?
    /// `.list`: the frequencies computed beforehand, and the read point in them.
    private let list: FieldFrequencies
    private var index = 0
    /// `.postings`: a cursor of its own.
    private var cursor: PostingsCursor?
    private let weight: Double
    private let average: Double
    private let k1: Double
    private let b: Double
    private let norms: NormColumn
    /// `Scoring.lengthFactors` of the field.
    private let lengthFactors: [Double]

    init(_ source: FieldSource, weight: Double, average: Double, k1: Double, b: Double, columns: Columns,
         lengthFactors: [Double]) {
        let none = FieldFrequencies(field: source.field, docs: [], frequencies: [])
        switch source.kind {
        case .shared(let iterator): (self.source, shared, list, cursor) = (.shared, Unmanaged.passUnretained(iterator), none, nil)
        case .list(let frequencies): (self.source, shared, list, cursor) = (.list, nil, frequencies, nil)
        case .postings(let postings): (self.source, shared, list, cursor) = (.postings, nil, none, postings)
        }
        self.weight = weight
        self.average = average
        self.k1 = k1
        self.b = b
        norms = columns.norms(source.field)
        self.lengthFactors = lengthFactors
    }

    /// The term's frequency in `doc` (0 when it does not occur); `doc` only grows.
    @inline(__always)
    mutating func frequency(_ doc: Int32) -> Int {
        switch source {
        case .shared:
            return shared.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.doc == doc ? $0.frequency : 0 }
        case .list:
            return list.docs.withUnsafeBufferPointer { docs in
                var i = index
                while i < docs.count, docs[i] < doc { i += 1 }
                index = i
                return i < docs.count && docs[i] == doc ? Int(list.frequencies[i]) : 0
            }
        case .postings:
            guard (try? cursor?.advance(to: Int(doc))) == true, cursor?.doc == Int(doc) else { return 0 }
            return cursor?.frequency ?? 0
        }
    }

    /// Whether the frequencies are read from `iterator`.
    func reads(_ iterator: PostingsIterator) -> Bool {
        source == .shared && shared?.toOpaque() == Unmanaged.passUnretained(iterator).toOpaque()
    }

    @inline(__always)
    func contribution(_ frequency: Int, doc: Int32) -> Double {
        contribution(frequency, length: norms[doc])
    }

    @inline(__always)
    func contribution(_ frequency: Int, length: Int) -> Double {
        let tf = Double(frequency)
        let factor = length < lengthFactors.count ? lengthFactors[length]
            : Searcher.lengthFactor(length, average: average, k1: k1, b: b)
        let saturation: Double = tf * (k1 + 1) / (tf + factor)
        return weight * saturation
    }
}
