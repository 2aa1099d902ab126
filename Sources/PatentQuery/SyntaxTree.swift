/// The typed syntax tree of a query. Parentheses leave no node of their own; AND and
/// OR lists are flat; `a NOT b` is `and([a, not(b)])`; proximity chains nest to the
/// left (`a $W2 b $PRE3 c` = `(a $W2 b) $PRE3 c`).
public indirect enum QueryNode: Equatable, Sendable {
    case term(Term)
    /// Inclusive bounds; nil is an open end (`*`). Appears only under a field scope.
    case range(from: String?, to: String?)
    /// A field scope over the node that follows it (`TTL:x`, `TTL:(a OR b)`).
    case field(String, QueryNode)
    case and([QueryNode])
    case or([QueryNode])
    /// Everything except (leading NOT), or the right side of `a NOT b`.
    case not(QueryNode)
    case proximity(QueryNode, ProximityOperator, QueryNode)
}

/// A word, quoted phrase or wildcard word, with an optional `$FREQn`.
/// `position` (1-based, code points) is where the term was written; it is not part of
/// the term's identity, so equal queries give equal trees wherever terms stand.
public struct Term: Equatable, Sendable {
    public enum Kind: String, Sendable, Codable {
        case word, phrase, wildcard
    }

    public var kind: Kind
    public var text: String
    /// `$FREQn`: the term occurs at least n times in one field value.
    public var minimumFrequency: Int?
    public var position: Int

    public init(_ kind: Kind, _ text: String, minimumFrequency: Int? = nil, position: Int = 0) {
        self.kind = kind
        self.text = text
        self.minimumFrequency = minimumFrequency
        self.position = position
    }

    public static func == (lhs: Term, rhs: Term) -> Bool {
        lhs.kind == rhs.kind && lhs.text == rhs.text && lhs.minimumFrequency == rhs.minimumFrequency
    }
}

/// `$Wn` (within n, either order), `$PREn` (within n, left first), `$SEN`, `$PARA`.
/// `$WS` is `$W99` (QUERY.md §3).
public enum ProximityOperator: Equatable, Sendable {
    case within(Int)
    case preceding(Int)
    case sentence
    case paragraph

    public var text: String {
        switch self {
        case .within(let n): return "$W\(n)"
        case .preceding(let n): return "$PRE\(n)"
        case .sentence: return "$SEN"
        case .paragraph: return "$PARA"
        }
    }
}

extension QueryNode {
    /// AND of the nodes, flattening nested ANDs.
    static func conjunction(_ nodes: [QueryNode]) -> QueryNode {
        let flat = nodes.flatMap { node -> [QueryNode] in
            if case .and(let children) = node { return children }
            return [node]
        }
        return flat.count == 1 ? flat[0] : .and(flat)
    }

    /// OR of the nodes, flattening nested ORs.
    static func disjunction(_ nodes: [QueryNode]) -> QueryNode {
        let flat = nodes.flatMap { node -> [QueryNode] in
            if case .or(let children) = node { return children }
            return [node]
        }
        return flat.count == 1 ? flat[0] : .or(flat)
    }

    /// A field scope; an inner scope wins (`TTL:(ABST:x)` = `ABST:x`).
    static func scoped(_ field: String, _ node: QueryNode) -> QueryNode {
        if case .field = node { return node }
        return .field(field, node)
    }
}
