/// Prints a syntax tree as canonical query text that parses back to the same tree:
/// upper-case operators, explicit AND, parentheses only where precedence needs them.
public enum QueryPrinter {
    public static func print(_ node: QueryNode) -> String {
        switch node {
        case .term(let term):
            return term.text(quoted: term.kind == .phrase)
        case .range(let from, let to):
            return "[\(from ?? "*") TO \(to ?? "*")]"
        case .field(let code, let child):
            switch child {
            case .term, .range: return "\(code):\(print(child))"
            default: return "\(code):(\(print(child)))"
            }
        case .and(let children):
            return children.map { child in
                if case .or = child { return "(\(print(child)))" }
                return print(child)
            }.joined(separator: " AND ")
        case .or(let children):
            return children.map(print).joined(separator: " OR ")
        case .not(let child):
            switch child {
            case .and, .or, .not: return "NOT (\(print(child)))"
            default: return "NOT \(print(child))"
            }
        case .proximity(let left, let op, let right):
            return "\(operand(left, isLeft: true)) \(op.text) \(operand(right, isLeft: false))"
        }
    }

    /// A proximity operand: a left chain needs no parentheses; anything composite does.
    private static func operand(_ node: QueryNode, isLeft: Bool) -> String {
        switch node {
        case .term, .field: return print(node)
        case .proximity where isLeft: return print(node)
        default: return "(\(print(node)))"
        }
    }
}

extension Term {
    func text(quoted: Bool) -> String {
        let body = quoted ? "\"\(text)\"" : text
        return minimumFrequency.map { "\(body) $FREQ\($0)" } ?? body
    }
}
