import PatentIndex

/// BM25's collection figures (QUERY.md §5): how many documents there are and each text
/// field's average length, with the length part of the saturation tabulated per field.
/// A searcher's own come from its snapshot; a sharded search's from every shard's figures
/// added together (`CollectionStatistics`), so its scores equal those of one index.
struct Scoring: Sendable {
    let documents: Int
    private let averages: [IndexField: Double]
    /// BM25's length part of the saturation, `lengthFactor`, per text field for lengths
    /// below `tabulatedLengths` (titles, abstracts and most claims): evaluated once per
    /// collection instead of once per scored term.
    let lengthFactors: [IndexField: [Double]]
    static let tabulatedLengths = 16_384

    init(documents: Int, normSums: [IndexField: Int], k1: Double, b: Double) {
        self.documents = documents
        let count = Double(documents)
        let averages = Dictionary(uniqueKeysWithValues: IndexField.textFields.map { field in
            (field, max(count > 0 ? Double(normSums[field] ?? 0) / count : 1, 1))
        })
        self.averages = averages
        lengthFactors = Dictionary(uniqueKeysWithValues: IndexField.textFields.map { field in
            let average = averages[field] ?? 1
            return (field, (0..<Self.tabulatedLengths).map { Searcher.lengthFactor($0, average: average, k1: k1, b: b) })
        })
    }

    /// The average length of a text field over the live documents (BM25's `avgdl`), at least 1.
    func averageLength(_ field: IndexField) -> Double { averages[field] ?? 1 }
}

extension Searcher {
    /// `k1 · (1 − b + b · length / avgdl)`: the one expression the table and longer
    /// lengths are computed by, so a score does not depend on which was used.
    @inline(__always)
    static func lengthFactor(_ length: Int, average: Double, k1: Double, b: Double) -> Double {
        k1 * (1 - b + b * Double(length) / average)
    }
}
