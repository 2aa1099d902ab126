import Foundation
import PatentIndex
import PatentQuery
import PatentTestSupport
import Testing
@testable import PatentSearch

typealias Random = SplitMix64

/// Queries built from the fixture corpus's own words, phrases, names, numbers and classes.
struct CorpusQueryGenerator {
    var random: Random
    let words: [String]
    let pairs: [String]
    let numbers: [String]
    let classes: [String]
    let fields = ["TTL", "ABST", "CLMS", "ICLMS", "DESC", "TA", "TAC", "TACD", "TTL_ALL", "TAC_ALL", "AN", "IN"]

    init(documents: [IndexDocument], seed: UInt64) {
        random = Random(state: seed)
        var counts: [String: Int] = [:]
        var pairSet = Set<String>()
        for doc in documents {
            for tokens in (doc.values[.title] ?? []) + (doc.values[.abstract] ?? []) + (doc.values[.claims] ?? []) {
                for (a, b) in zip(tokens, tokens.dropFirst()) where a.isLatin && b.isLatin && a.text.count > 3 {
                    pairSet.insert("\(a.text) \(b.text)")
                }
                for token in tokens where token.text.count > 2 { counts[token.text, default: 0] += 1 }
            }
        }
        words = counts.filter { $0.value >= 3 }.keys.sorted()
        pairs = Array(pairSet.sorted().prefix(4_000))
        numbers = documents.flatMap { $0.keywords[.publicationNumber] ?? [] }.sorted()
        classes = documents.flatMap { $0.keywords[.ipc] ?? [] }.filter { $0.count >= 4 }.sorted()
    }

    mutating func atom() -> String {
        switch random.next() % 10 {
        case 0: return "\"\(random.pick(pairs))\""
        case 1:
            let word = random.pick(words)
            return String(word.prefix(max(3, word.count - 2))) + random.pick(["*", "?", "#", "*s"])
        case 2: return "*" + String(random.pick(words).suffix(4))
        default: return random.pick(words)
        }
    }

    mutating func operand() -> String {
        if random.chance(20) { return "(\(atom()) OR \(atom()))" }
        return random.chance(30) ? "\(random.pick(fields)):\(atom())" : atom()
    }

    mutating func unit() -> String {
        switch random.next() % 12 {
        case 0: return "\(operand()) \(random.pick(["$W0", "$W3", "$W10", "$PRE2", "$PRE8", "$SEN", "$PARA", "$WS"])) \(operand())"
        case 1: return "\(operand()) $W5 \(operand()) $PRE20 \(operand())"
        case 2: return "PN:\(random.pick(numbers))"
        case 3: return "IPC:\(random.pick(classes))"
        case 4: return "\(random.pick(["APD", "PBD", "PRIORITY_DATE"])):[\(random.pick(["19900101", "20050601", "*"])) TO \(random.pick(["20100101", "20221231", "*"]))]"
        case 5: return "\(random.pick(fields)):(\(atom()) $FREQ\(1 + random.next() % 3))"
        default: return random.chance(35) ? "\(random.pick(fields)):\(atom())" : atom()
        }
    }

    mutating func query(depth: Int = 2) -> String {
        guard depth > 0 else { return unit() }
        switch random.next() % 6 {
        case 0: return "\(query(depth: depth - 1)) AND \(query(depth: depth - 1))"
        case 1: return "(\(query(depth: depth - 1)) OR \(query(depth: depth - 1)))"
        case 2: return "\(query(depth: depth - 1)) NOT \(unit())"
        case 3: return "NOT \(unit())"
        default: return unit()
        }
    }
}

@Suite("Differential: engine against a brute-force scan")
struct DifferentialTests {
    @Test("330 generated queries give identical result sets, with and without stemming")
    func generatedQueries() throws {
        let index = FixtureIndex.shared
        let brute = BruteForce(documents: index.documents)
        var generator = CorpusQueryGenerator(documents: index.documents, seed: 1129)
        var compared = 0
        var nonEmpty = 0
        let clock = ContinuousClock()
        var engineTime = Duration.zero, scanTime = Duration.zero
        for i in 0..<(Int(ProcessInfo.processInfo.environment["DIFF_QUERIES"] ?? "") ?? 330) {
            let query = generator.query()
            let stemming = i % 3 == 0
            let expected: Set<String>
            let scanStart = clock.now
            do {
                expected = try brute.matches(query, stemming: stemming)
            } catch {
                continue
            }
            scanTime += clock.now - scanStart
            let actual: Set<String>
            let engineStart = clock.now
            defer { engineTime += clock.now - engineStart }
            do {
                actual = try index.searcher.matchingPublications(query, stemming: stemming)
            } catch {
                // Only the expansion limit may refuse a query the brute force answered.
                #expect(error.problem.contains("matches more than"), "\(query): \(error)")
                continue
            }
            compared += 1
            if !expected.isEmpty { nonEmpty += 1 }
            #expect(actual == expected, "\(query) stemming=\(stemming): only engine \(actual.subtracting(expected)), only scan \(expected.subtracting(actual))")
        }
        print("differential: \(compared) queries, engine \(engineTime), scan \(scanTime)")
        #expect(compared >= 300)
        #expect(nonEmpty >= 100)
    }
}
