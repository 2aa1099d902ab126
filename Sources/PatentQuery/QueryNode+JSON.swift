/// The tree as JSON for `patents parse` and for clients: every node an object with a
/// `type` and its parts.
extension QueryNode: Encodable {
    private enum Key: String, CodingKey {
        case type, kind, text, minimumFrequency, field, child, children, from, to, left, right, `operator`, distance
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .term(let term):
            try c.encode("term", forKey: .type)
            try c.encode(term.kind, forKey: .kind)
            try c.encode(term.text, forKey: .text)
            try c.encodeIfPresent(term.minimumFrequency, forKey: .minimumFrequency)
        case .range(let from, let to):
            try c.encode("range", forKey: .type)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
        case .field(let code, let child):
            try c.encode("field", forKey: .type)
            try c.encode(code, forKey: .field)
            try c.encode(child, forKey: .child)
        case .and(let children):
            try c.encode("and", forKey: .type)
            try c.encode(children, forKey: .children)
        case .or(let children):
            try c.encode("or", forKey: .type)
            try c.encode(children, forKey: .children)
        case .not(let child):
            try c.encode("not", forKey: .type)
            try c.encode(child, forKey: .child)
        case .proximity(let left, let op, let right):
            try c.encode("proximity", forKey: .type)
            switch op {
            case .within(let n): try c.encode("W", forKey: .operator); try c.encode(n, forKey: .distance)
            case .preceding(let n): try c.encode("PRE", forKey: .operator); try c.encode(n, forKey: .distance)
            case .sentence: try c.encode("SEN", forKey: .operator)
            case .paragraph: try c.encode("PARA", forKey: .operator)
            }
            try c.encode(left, forKey: .left)
            try c.encode(right, forKey: .right)
        }
    }
}
