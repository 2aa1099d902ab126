import PatentAnalysis

/// A patent as the index sees it: analysed values per positional field, exact terms
/// per keyword field, and columns.
public struct IndexDocument: Sendable {
    public var pn: String
    /// Per positional field, its values, each a token list.
    public var values: [IndexField: [TokenList]] = [:]
    public var keywords: [IndexField: [String]] = [:]
    /// Values of every `Column`, in its order.
    public var dates: [Int32] = Array(repeating: 0, count: Column.allCases.count)

    public init(pn: String) { self.pn = pn }

    /// Publication date for ordering (0 when unknown).
    public var publicationDate: Int32 { dates[Column.publicationDate.rawValue] }
}
