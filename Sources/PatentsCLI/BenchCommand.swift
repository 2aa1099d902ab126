import ArgumentParser
import Foundation
import PatentHTTP
import PatentIndex
import PatentQuery
import PatentSearch
import PatentTasks

/// Benchmarks kept with the product so anyone can rerun them (`patents bench …`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: query parsing, search latency.",
        subcommands: [BenchParse.self, BenchSearch.self]
    )
}

struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Time the parser on 2,000-character queries (nested parentheses, long boolean lists)."
    )

    @Option(help: "Parses per query (at least 1).")
    var repeats = 2_000

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, not \(repeats)") }
    }

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

struct BenchSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Time count + top-1,000 (or --rows N) for a fixed set of queries on the index in --data (in-process)."
    )

    @OptionGroup var options: DataOptions

    @Option(help: "Runs per query (at least 1).")
    var repeats = 20

    @Option(help: "A file of queries, one per line (default: a built-in set of 16).")
    var queries: String?

    @Flag(help: "Print JSON: open time, documents, peak RSS and per-query total, p50, p99.")
    var json = false

    @Option(help: "Hits per query (0: the count alone, as P001 asks).")
    var rows = 1_000

    @Option(name: .customLong("shard"), help: "An index folder holding one shard (`patents index --shards N --shard S`); given for every shard, the search runs over them as a sharded search does (statistics, then every shard in parallel, merged) instead of over --data's index.")
    var shards: [String] = []

    @Option(name: .customLong("node"), help: "The base URL of a `patents serve --cluster-secret-file` node holding one shard as its index, given for every shard in shard order: the search runs over them through shard calls (HTTP), as a cluster's root does.")
    var nodes: [String] = []

    @Option(help: "With --node: the cluster's secret.") var clusterSecretFile: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, not \(repeats)") }
        guard rows >= 0 else { throw ValidationError("--rows must be 0 or more, not \(rows)") }
    }

    private func clusterSignature() throws -> ClusterSignature {
        guard let path = clusterSecretFile, let secret = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--node needs --cluster-secret-file, a readable file holding the cluster's secret")
        }
        return try ClusterSignature(secret: Array(secret))
    }

    static let builtIn = [
        "battery", "TTL:battery", "\"lithium ion\"", "lithium $W3 battery", "TAC:(vehicle AND (battery OR \"fuel cell\"))",
        "batter*", "*ology", "IPC:H01M", "CPC:G06F", "PBD:[20100101 TO 20201231] AND TTL:system", "method NOT device",
        "display $SEN pixel", "claim $PARA wherein", "TTL:显示设备", "AN:google", "PN:US10047600",
    ]

    func run() throws {
        let list = try queries.map { path in
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        } ?? Self.builtIn
        let start = DispatchTime.now().uptimeNanoseconds
        let snapshots = try (shards.isEmpty ? [indexDirectory(options.data)] : shards).map { try IndexSnapshot.open(directory: $0) }
        let searchers = snapshots.map { Searcher(snapshot: $0) }
        let sharded = ShardedSearch(shards: searchers)
        var search: (SearchRequest) throws -> SearchResult = shards.isEmpty ? { try searchers[0].search($0) } : { try sharded.search($0) }
        if !nodes.isEmpty {
            let cluster = ClusterSearch(shards: nodes.map { [$0] }, signature: try clusterSignature())
            search = { request in try waitForTask { try await cluster.search(request) } }
        }
        let open = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let documents = snapshots.reduce(0) { $0 + $1.liveDocuments }
        let segments = snapshots.reduce(0) { $0 + $1.segments.count }
        var results: [[String: Any]] = []
        if !json {
            print(String(format: "index: %d documents, %d shard(s), %d segment(s), opened in %.1f ms", documents, snapshots.count, segments, open))
            print("query                                          total   p50 ms   p99 ms")
        }
        for line in list {
            // `query<TAB>options`: `stem` turns stemming on, APNO/DOCDB/INPADOC/EXTEND collapse.
            let parts = line.split(separator: "\t").map(String.init)
            var request = SearchRequest(query: parts[0])
            request.rows = max(0, rows)
            for option in parts.dropFirst().flatMap({ $0.split(separator: ",").map(String.init) }) {
                if option == "stem" { request.stemming = true }
                if let kind = Collapse.Kind(rawValue: option) { request.collapse = Collapse(kind: kind) }
            }
            var samples: [Double] = []
            var total = try search(request).total  // warm-up, as the peers get
            for _ in 0..<repeats {
                let t = DispatchTime.now().uptimeNanoseconds
                total = try search(request).total
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
            samples.sort()
            let p50 = samples[samples.count / 2]
            let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
            results.append(["query": line, "total": total, "p50_ms": p50, "p99_ms": p99])
            if !json { print(line.padding(toLength: 46, withPad: " ", startingAt: 0) + String(format: " %6d %8.2f %8.2f", total, p50, p99)) }
        }
        if json {
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            let report: [String: Any] = ["open_ms": open, "documents": documents, "segments": segments, "shards": snapshots.count,
                                         "max_rss_mb": Double(usage.ru_maxrss) / 1024, "queries": results]
            print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}
