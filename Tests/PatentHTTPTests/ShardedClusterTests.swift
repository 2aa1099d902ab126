import Foundation
import Logging
import PatentHTTP
import PatentIndex
import PatentObjectStore
import PatentPostgres
import PatentSearch
import PatentTasks
import PatentTestSupport
import Testing

/// The done-when of many machines, part 2: PostgreSQL, SeaweedFS and four `patents serve`
/// nodes holding 2 shards × 2 replicas. The shards are built and published once; nodes
/// start with empty folders, take the patents from the feed and their shards from object
/// storage. Every search — straight to the shards (scores compared bit for bit) and through
/// every node's API (P001, P002, P055) — equals one index of all the patents; a node that
/// joins late serves only shards it holds; a node killed mid-query and one killed mid-export
/// are survived.
@Suite(.serialized) struct ShardedClusterTests {
    static let placement = ShardPlacement(shards: 2, replicas: 2)

    static let queries = ClusterSearchTests.queries + [
        "TTL:batter* AND PBD:[20100101 TO 20251231]", "(TTL:vehicle OR ABST:vehicle) NOT AUTHORITY:CN",
        "ABST:(signal $PRE5 receiv*)", "TAC:(light $SEN emit*)", "TTL:\"control device\"",
        // More of the language: frequency, paragraph proximity, names, numbers, CJK,
        // classification prefixes, date ranges with open ends, nested NOT.
        "CLMS:(device $FREQ2)", "DESC:(fig $PARA shows)", "AN:(corp* OR inc*)", "IN:john*", "PN:US6*",
        "TTL:装置 OR ABST:方法", "CPC:H04L OR IPC:G06F17", "APD:[19900101 TO *] AND TTL:method",
        "(TAC:(water OR fluid) AND NOT (TTL:pump OR AUTHORITY:JP)) OR CLMS:\"a method of\"",
    ]

    @Test func fourNodesTwoShardsTwoReplicas() async throws {
        let url = try PostgresServer.shared.createDatabase("sharded")
        let seaweed = SeaweedServer.shared
        let bucket = "sharded-\(UInt32.random(in: 0...UInt32.max))"
        let s3 = try S3ObjectStore(.init(endpoint: seaweed.endpoint, bucket: bucket, accessKey: seaweed.accessKey,
                                         secretKey: seaweed.secretKey))
        try await s3.createBucket()
        let segments = "s3://\(bucket)?endpoint=\(seaweed.endpoint)"
        let credentials = ["AWS_ACCESS_KEY_ID": seaweed.accessKey, "AWS_SECRET_ACCESS_KEY": seaweed.secretKey]
        let root = try temporaryDirectory("sharded-cluster")

        // One index of everything (the reference), published to the feed; each shard built
        // from a copy of it and published as its generation.
        let base = root + "/base"
        let later = fixtures + "/uspto-legacy"
        let paths = try FileManager.default.contentsOfDirectory(atPath: fixtures).map { fixtures + "/" + $0 }.filter { $0 != later }
        try runPatents(["import", "--data", base, "--database", url] + paths)
        var single = Searcher(snapshot: try IndexSnapshot.open(directory: base + "/index"))
        for shard in 0..<2 {
            let built = root + "/build-\(shard)"
            try ClusterSearchTests.copy(base, to: built)
            try runPatents(["index", "--data", built, "--shards", "2", "--shard", String(shard), "--rebuild"])
            try runPatents(["segments", "publish", "--data", built, "--database", url, "--segments", segments,
                            "--shard", String(shard)], environment: credentials)
        }
        let (_, key) = try ClusterTests.client(database: url, data: base)
        let secret = (0..<48).map { _ in UInt8.random(in: 0...255) }
        let secretFile = root + "/cluster.secret"
        try Data(secret).write(to: URL(fileURLWithPath: secretFile))
        let signature = try ClusterSignature(secret: secret)
        let exports = root + "/exports"
        var logger = Logger(label: "sharded-test")
        logger.logLevel = .critical
        let database = try SharedDatabase(url: url, logger: logger, connections: 2)
        let membership = ClusterMembership(database: database)

        var nodes: [String: RunningServer] = [:]
        defer { for node in nodes.values where node.process.isRunning { node.stop(with: SIGKILL) } }
        func start(_ name: String) throws {
            nodes[name] = try RunningServer(
                data: root + "/node-\(name)", key: key, environment: credentials.merging(ClusterTests.slowExports) { $1 },
                arguments: ["--database", url, "--exports", exports, "--node", name, "--lease", String(ClusterTests.lease),
                            "--cluster-secret-file", secretFile, "--shards", "2", "--replicas", "2", "--segments", segments,
                            "--max-pending-per-client", "100"])
        }
        for name in ["A", "B", "C"] { try start(name) }
        try await Self.settled(membership, nodes: ["A", "B", "C"])

        // Straight to the shards: totals, hits, order and scores of one index.
        func compareShards(_ members: [ClusterMembership.Member]) async throws {
            var cluster = ClusterSearch(shards: ClusterMembership.replicas(members, placement: Self.placement), signature: signature)
            cluster.shardNames = [0, 1]
            var nonEmpty = 0
            for query in Self.queries {
                for request in ClusterSearchTests.requests(query) {
                    let expected = try single.search(request)
                    let actual = try await cluster.search(request)
                    #expect(actual == expected, "\(query) collapse \(String(describing: request.collapse)) sort \(request.sort)")
                    if expected.total > 0 { nonEmpty += 1 }
                }
            }
            #expect(nonEmpty * 2 >= Self.queries.count * 6, "too few requests match anything: \(nonEmpty)")
        }
        try await compareShards(try await membership.members())
        // Through every node's API: P001 and P002 (the node is the root).
        for name in ["A", "B", "C"] { try await Self.compareAPI(try #require(nodes[name]), single) }
        #expect(try await IndexJobs(database: database).pending().isEmpty, "the published shards cover the feed: no job")

        // Patents published later are indexed by the nodes' jobs: built by one node per
        // shard, published, pulled by the holders; searched everywhere within a minute.
        try runPatents(["import", "--data", base, "--database", url, later])
        single = Searcher(snapshot: try IndexSnapshot.open(directory: base + "/index"))
        let everything = try single.search(SearchRequest(query: "PBD:[19000101 TO 20991231]")).total
        let importedAt = Date()
        var counted = 0
        while Date().timeIntervalSince(importedAt) < 60 {
            counted = try await ClusterTests.count(try #require(nodes["C"]))
            if counted == everything { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(counted == everything, "the cluster counts \(counted) of \(everything) patents a minute after the import")
        try await Self.settled(membership, nodes: ["A", "B", "C"])
        let generations = try await Self.generations(database)
        #expect(generations.count == 2 && generations.allSatisfy { $0.value.count == 2 && $0.value[1].revision != nil },
                "each shard: the published generation and the job's: \(generations)")
        // The jobs' generations of both shards went live in one transaction (one now()).
        let switched = Set(generations.values.compactMap { $0.last?.liveAt })
        #expect(switched.count == 1 && generations.values.allSatisfy { $0.last?.liveAt != nil }, "\(generations)")
        try await compareShards(try await membership.members())

        // A node that joins late: chosen so that it holds a shard among the four.
        let late = try #require((1...50).map { "D\($0)" }.first { !Self.placement.shards(of: $0, among: ["A", "B", "C", $0]).isEmpty })
        let lateShards = Self.placement.shards(of: late, among: ["A", "B", "C", late])
        try start(late)
        let all = ["A", "B", "C", late]
        // Whenever its heartbeat says it serves a shard, that shard's index is in its folder.
        let deadline = Date().addingTimeInterval(60)
        var lateReady: [Int: Int] = [:]
        while Date() < deadline {
            lateReady = try await membership.members().first { $0.node == late }?.ready ?? [:]
            for shard in lateReady.keys {
                #expect(FileManager.default.fileExists(atPath: root + "/node-\(late)/shards/\(shard)/manifest.json"))
            }
            if Set(lateReady.keys) == Set(lateShards) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(lateReady.keys) == Set(lateShards), "\(late) serves \(lateReady), should \(lateShards)")
        let members = try await Self.settled(membership, nodes: all)
        // The late node alone answers for its shards, as one index would.
        let lateOnly = members.map { member in
            var member = member
            if member.node != late { for shard in lateShards { member.ready[shard] = nil } }
            return member
        }
        try await compareShards(lateOnly)
        try await Self.compareAPI(try #require(nodes[late]), single)

        // kill -9 of the node asked first for shard 0 while searches run through another:
        // every one answers, the same (the dead node stays listed until its heartbeat is
        // 10 s old, so the searches after the kill find it dead and ask the other replica).
        let first = try #require(ClusterMembership.replicas(members, placement: Self.placement)[0].first)
        let victim = try #require(members.first { $0.address == first }?.node)
        let api = try #require(all.first { $0 != victim && $0 != late })
        let server = try #require(nodes[api])
        // The server's handle only makes calls (URLSession), from each task.
        nonisolated(unsafe) let rootServer = server
        let reference = single
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<40 {
                group.addTask {
                    let query = Self.queries[round % Self.queries.count]
                    try await Self.comparePage(rootServer, reference, query: query, limit: 50)
                }
                if round == 5 { #expect(killLanded(try #require(nodes[victim]).process)) }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await group.waitForAll()
        }
        nodes[victim] = nil

        // Exports created through that node; the node writing one is killed mid-file: every task ends
        // SUCCESS with the patents of one index, in its order.
        let body = #"{"query_text": "PBD:[19000101 TO 20991231]", "fields": "PN,TTL", "export_type": "csv", "rows": 40}"#
        var request = try CountParameters(body: JSONValue.parse(Array(body.utf8))).parameters.searchRequest(offset: 0, rows: 40)
        request.rows = 40
        let expected = try single.search(request).hits.map(\.pn)
        var tasks: [String] = []
        for _ in 0..<6 {
            let answer = try await server.call("POST", "/patent-search/export/V2", body)
            let data = try #require(answer["data"] as? [String: Any], "\(answer)")
            #expect(data["count"] as? Int == expected.count)
            tasks.append(try #require(data["task_id"] as? String))
        }
        let writer = try #require(all.first { $0 != api && nodes[$0] != nil })
        let killed = try await ClusterTests.midFile(database, worker: writer + "/")
        #expect(killLanded(try #require(nodes[writer]).process), "\(writer) had ended before the kill")
        nodes[writer] = nil
        for task in tasks {
            let status = try await server.finished(task, timeout: 120)
            #expect(status["export_status"] as? String == "SUCCESS", "task \(task): \(status)")
            let link = try #require(status["url"] as? String)
            let rows = csvRows(try await server.download(link.hasPrefix("http") ? link : server.base + link))
            #expect(rows.dropFirst().map { $0.first ?? "" } == expected, "task \(task): the PNs of one index, in order")
        }
        #expect(try await ClusterTests.attempts(database, killed.taskID) >= 2, "the killed node's task was taken over")

        // The dead nodes' shards are placed again: once their heartbeats are 10 s old, the
        // two nodes left hold both shards (each pulls what it lacked) and answer as before.
        let left = all.filter { nodes[$0] != nil }
        try await compareShards(try await Self.settled(membership, nodes: left))
        await database.close()
    }

    /// Waits until each shard is served by its `replicas` holders among `nodes` (and no
    /// other node), all at the shard's newest generation; the members then.
    @discardableResult
    static func settled(_ membership: ClusterMembership, nodes: [String]) async throws -> [ClusterMembership.Member] {
        let deadline = Date().addingTimeInterval(90)
        var members: [ClusterMembership.Member] = []
        while Date() < deadline {
            members = try await membership.members()
            let settled = (0..<placement.shards).allSatisfy { shard in
                let serving = Set(members.filter { $0.ready[shard] != nil }.map(\.node))
                return serving == Set(placement.holders(of: shard, among: nodes))
            }
            if settled && Set(members.map(\.node)) == Set(nodes) { return members }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("the shards did not settle on \(nodes) within 90 s: \(members)")
    }

    /// Per shard, its generations (id, feed revision built from, when it went live in
    /// microseconds since 2000), oldest first.
    static func generations(_ database: SharedDatabase) async throws -> [Int: [(id: Int, revision: Int?, liveAt: Int64?)]] {
        var generations: [Int: [(id: Int, revision: Int?, liveAt: Int64?)]] = [:]
        let rows = try await database.client.query("""
            SELECT shard, id, revision, (extract(epoch FROM live_at - '2000-01-01 00:00:00+00') * 1000000)::bigint
            FROM index_generation ORDER BY id
            """, logger: Logger(label: "sharded-test"))
        for try await (shard, id, revision, liveAt) in rows.decode((Int32, Int64, Int64?, Int64?).self) {
            generations[Int(shard), default: []].append((Int(id), revision.map(Int.init), liveAt))
        }
        return generations
    }

    /// P001 and P002 through a node equal one index's count and page.
    static func compareAPI(_ server: RunningServer, _ single: Searcher) async throws {
        for query in queries {
            try await comparePage(server, single, query: query, limit: 20)
            let body = #"{"query_text": \#(jsonString(query))}"#
            let count = try await server.call("POST", "/search/patent/query-search-count/v2", body)
            let expected = try single.search(try CountParameters(body: JSONValue.parse(Array(body.utf8))).parameters
                .searchRequest(offset: 0, rows: 0)).total
            #expect((count["data"] as? [String: Any])?["total_search_result_count"] as? Int == expected, "\(query): \(count)")
        }
    }

    static func comparePage(_ server: RunningServer, _ single: Searcher, query: String, limit: Int) async throws {
        let body = #"{"query_text": \#(jsonString(query)), "limit": \#(limit), "offset": 1}"#
        let page = try await server.call("POST", "/search/patent/query-search-patent/v2", body)
        let expected = try single.search(try PreviewParameters(body: JSONValue.parse(Array(body.utf8))).searchRequest)
        let data = try #require(page["data"] as? [String: Any], "\(query): \(page)")
        let pns = (data["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
        #expect(pns == expected.hits.map(\.pn) && data["total_search_result_count"] as? Int == expected.total, "\(query) via \(server.base)")
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed), as: UTF8.self)
    }
}
