import PatentTestSupport
import Testing
@testable import PatentQuery

/// Random trees in the parser's normal form (flat AND/OR, innermost field scopes,
/// proximity operands of words, phrases, wildcards, OR groups and chains).
struct TreeGenerator {
    var rng: SplitMix64
    let words = ["car", "battery", "lithium-ion", "汽车", "電池", "3.5V", "h2o", "naïve", "H01M10/052", "US10047600B2", "x"]
    let fields = ["TTL", "ABST", "CLMS", "TAC", "AN", "IN", "IPC", "PN", "TTL_ALL"]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }

    // The normal form, written here rather than borrowed from the parser (whose
    // normalisation is what the round trip tests): AND inside AND and OR inside OR are
    // one level, a single child is itself, and a field around a fielded node adds nothing.
    static func and(_ nodes: [QueryNode]) -> QueryNode {
        let flat = nodes.flatMap { node -> [QueryNode] in if case .and(let children) = node { children } else { [node] } }
        return flat.count == 1 ? flat[0] : .and(flat)
    }

    static func or(_ nodes: [QueryNode]) -> QueryNode {
        let flat = nodes.flatMap { node -> [QueryNode] in if case .or(let children) = node { children } else { [node] } }
        return flat.count == 1 ? flat[0] : .or(flat)
    }

    static func field(_ code: String, _ node: QueryNode) -> QueryNode {
        if case .field = node { return node }
        return .field(code, node)
    }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    mutating func term(allowFrequency: Bool) -> QueryNode {
        var term: Term
        switch rng.next() % 3 {
        case 0: term = Term(.word, pick(words))
        case 1: term = Term(.phrase, pick(words) + " " + pick(words) + pick(["", " AND", " *"]))
        default: term = Term(.wildcard, pick(["car*", "bat?ery", "*ion", "c#r", "lith*"]))
        }
        if allowFrequency, chance(15) { term.minimumFrequency = Int(rng.next() % 50) + 1 }
        return .term(term)
    }

    mutating func proximityOperand(depth: Int) -> QueryNode {
        if depth > 0, chance(25) {
            return .or((0..<2 + Int(rng.next() % 2)).map { _ in term(allowFrequency: false) })
        }
        let atom = term(allowFrequency: false)
        return chance(30) ? .field(pick(fields), atom) : atom
    }

    mutating func unit(depth: Int) -> QueryNode {
        switch rng.next() % 10 {
        case 0 where depth > 0:
            var node = QueryNode.proximity(proximityOperand(depth: depth - 1), op(), proximityOperand(depth: depth - 1))
            if chance(40) { node = .proximity(node, op(), proximityOperand(depth: depth - 1)) }
            return node
        case 1: return .field(pick(["APD", "PBD"]), .range(from: chance(20) ? nil : "20150101", to: chance(20) ? nil : "20201231"))
        case 2 where depth > 0: return Self.field(pick(fields), node(depth: depth - 1))
        case 3: return .field(pick(fields), term(allowFrequency: true))
        default: return term(allowFrequency: true)
        }
    }

    mutating func op() -> ProximityOperator {
        switch rng.next() % 4 {
        case 0: return .within(Int(rng.next() % 100))
        case 1: return .preceding(Int(rng.next() % 100))
        case 2: return .sentence
        default: return .paragraph
        }
    }

    mutating func node(depth: Int) -> QueryNode {
        guard depth > 0 else { return unit(depth: 0) }
        let count = 2 + Int(rng.next() % 3)
        switch rng.next() % 4 {
        case 0: return Self.and((0..<count).map { _ in chance(20) ? .not(unit(depth: depth - 1)) : node(depth: depth - 1) })
        case 1: return Self.or((0..<count).map { _ in node(depth: depth - 1) })
        case 2: return .not(unit(depth: depth - 1))
        default: return unit(depth: depth)
        }
    }
}

@Suite("Canonical printing and fuzzing")
struct RoundTripAndFuzzTests {
    static let handWritten = [
        "a OR b AND NOT c $W2 d", "TTL: car battery", "a $W2 b $PRE3 c", "(a $W2 b) $W3 c", "NOT a", "a NOT b NOT c",
        "TTL:(car OR auto) AND ABST:\"electric vehicle\"", "APD:[20150101 TO 20201231] PBD:[* TO 2024-12-31]",
        "car $FREQ2 OR \"fuel cell\" $FREQ3", "汽车 $W1 电池", "IPC:H01M OR CPC:H01M10/0525", "PN:US1012*",
        "(a OR b) $SEN (c OR d)", "x $PARA y $WS z", "NOT (a OR b)", "NOT (NOT a)", "TTL_ALL:batterie", "APD_Y:[2018 TO *]",
        "ttl:x and not abst:y or in:smith", "((a))", "a AND (b OR (c AND (d OR e)))", "\"car* AND OR\"",
    ]

    @Test("hand-written queries: parse → print → parse gives the same tree")
    func handWrittenRoundTrip() throws {
        for query in Self.handWritten {
            let tree = try QueryParser.parse(query)
            let printed = QueryPrinter.print(tree)
            #expect(try QueryParser.parse(printed) == tree, "\(query) → \(printed)")
        }
    }

    @Test("300 generated trees print to text that parses back to the same tree")
    func generatedRoundTrip() throws {
        var generator = TreeGenerator(rng: SplitMix64(state: 20261129))
        for _ in 0..<300 {
            let tree = generator.node(depth: 3)
            let printed = QueryPrinter.print(tree)
            let reparsed = try QueryParser.parse(printed)
            #expect(reparsed == tree, "\(printed)")
        }
    }

    @Test("100,000 random and mutated queries: no crash, every failure a 68300004 inside the input")
    func fuzz() throws {
        var rng = SplitMix64(state: 42)
        let pieces = ["a", "b", "car", "汽车", " ", " ", " ", "(", ")", "\"", "[", "]", ":", "$", "$W", "$W2", "$PRE5", "$FREQ3",
                      "$SEN", "AND", "OR", "NOT", "TO", "TTL:", "APD:", "XYZ:", "*", "?", "#", "2015", "20150101", "-", "é", "\u{301}"]
        var seeds = RoundTripAndFuzzTests.handWritten
        var generator = TreeGenerator(rng: SplitMix64(state: 7))
        for _ in 0..<200 { seeds.append(QueryPrinter.print(generator.node(depth: 3))) }
        var failures = 0
        for i in 0..<100_000 {
            var query: String
            if i % 2 == 0 {
                query = (0..<Int(rng.next() % 24)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            } else {
                var scalars = Array(seeds[Int(rng.next() % UInt64(seeds.count))].unicodeScalars)
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let position = scalars.isEmpty ? 0 : Int(rng.next() % UInt64(scalars.count))
                    let piece = Array(pieces[Int(rng.next() % UInt64(pieces.count))].unicodeScalars)
                    switch rng.next() % 3 {
                    case 0: scalars.insert(contentsOf: piece, at: position)
                    case 1: if !scalars.isEmpty { scalars.remove(at: position) }
                    default: if !scalars.isEmpty { scalars.replaceSubrange(position...position, with: piece) }
                    }
                }
                query = String(String.UnicodeScalarView(scalars))
            }
            let length = query.unicodeScalars.count
            do {
                let tree = try QueryParser.parse(query)
                let printed = QueryPrinter.print(tree)
                guard (try? QueryParser.parse(printed)) == tree else {
                    Issue.record("round trip failed: \(query) → \(printed)")
                    return
                }
            } catch {
                failures += 1
                guard error.code == 68300004, (1...(length + 1)).contains(error.position) else {
                    Issue.record("bad error for \(query): \(error)")
                    return
                }
            }
        }
        #expect(failures > 10_000)
        #expect(failures < 100_000)
    }

    @Test("a 2,000-character query of nested parentheses parses")
    func deepNesting() throws {
        let deep = String(repeating: "(", count: 999) + "a" + String(repeating: ")", count: 999)
        #expect(deep.count == 1_999)
        #expect(try QueryParser.parse(deep) == word("a"))
        var alternating = "x"
        while true {
            let next = "(a OR (b AND \(alternating)))"
            if next.count > 2_000 { break }
            alternating = next
        }
        #expect(alternating.count > 1_950)
        let tree = try QueryParser.parse(alternating)
        #expect(try QueryParser.parse(QueryPrinter.print(tree)) == tree)
    }

    @Test("nesting beyond 1,000 parentheses is refused at the parenthesis that goes too far")
    func nestingLimit() throws {
        let limit = String(repeating: "(", count: 1_000) + "a" + String(repeating: ")", count: 1_000)
        #expect(try QueryParser.parse(limit, maximumLength: 12_000) == word("a"))
        let beyond = "TTL:" + String(repeating: "(", count: 1_001) + "a" + String(repeating: ")", count: 1_001)
        #expect(throws: QueryError("parentheses nested deeper than 1000 levels", at: 1_005)) {
            try QueryParser.parse(beyond, maximumLength: 12_000)
        }
    }
}
