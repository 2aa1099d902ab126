import ArgumentParser
import Foundation
import PatentQuery

/// Benchmarks kept with the product so anyone can rerun them (`patents bench …`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: query parsing (more as the engine grows).",
        subcommands: [BenchParse.self]
    )
}

struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Time the parser on 2,000-character queries (nested parentheses, long boolean lists)."
    )

    @Option(help: "Parses per query.")
    var repeats = 2_000

    func run() throws {
        var nested = "x"
        while "(a OR (b AND \(nested)))".count <= 2_000 { nested = "(a OR (b AND \(nested)))" }
        let cases: [(String, String)] = [
            ("999 nested parentheses", String(repeating: "(", count: 999) + "a" + String(repeating: ")", count: 999)),
            ("alternating OR/AND nesting", nested),
            ("flat boolean list", String(Array(repeating: "TTL:battery OR ABST:\"fuel cell\" AND car $W3 bus", count: 40)
                .joined(separator: " OR ").prefix(2_000)).trimmingCharacters(in: .whitespaces)),
        ]
        print("query                          chars   median µs   p99 µs")
        for (name, query) in cases {
            _ = try? QueryParser.parse(query)
            var samples: [Double] = []
            samples.reserveCapacity(repeats)
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try? QueryParser.parse(query)
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000)
            }
            samples.sort()
            let median = samples[samples.count / 2]
            let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " %5d %11.1f %8.1f", query.unicodeScalars.count, median, p99))
        }
    }
}
