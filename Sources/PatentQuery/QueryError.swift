/// PatentQuery: the PatSnap query language — lexer, parser, typed syntax tree, field
/// catalogue, canonical printer and precise errors (QUERY.md §2, §4, §6, §8). It has no
/// dependencies, so the tree can be evaluated by our engine or compiled for other back
/// ends.

/// A malformed query: PatSnap error 68300004 with the problem and its 1-based position
/// in Unicode code points (QUERY.md §8 says where each error points).
public struct QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// PatSnap's "invalid parameter" code.
    public static let code = 68300004
    public let problem: String
    public let position: Int

    public init(_ problem: String, at position: Int) {
        self.problem = problem
        self.position = position
    }

    public var code: Int { Self.code }
    /// `unexpected ')' at 17`.
    public var message: String { "\(problem) at \(position)" }
    public var description: String { message }
}
