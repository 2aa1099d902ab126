import Crypto
import Foundation
import Logging
import PatentPostgres
import PatentTasks
import PatentTestSupport
import PostgresNIO
import Testing

/// Three `patents serve` nodes on one private PostgreSQL and one exports folder, as on
/// three machines: patents imported through one node are searched on all (the feed);
/// exports created on every node, one node killed with `kill -9` while it writes, one paused
/// (SIGSTOP) past its lease; every task ends SUCCESS with a correct file, charged once, and
/// a link made on one node downloads from another.
@Suite(.serialized) struct ClusterTests {
    /// Each export page holds 4 patents and is followed by a 300 ms pause, so a task of 40
    /// rows takes some 3 s: kills and pauses land mid-file.
    static let slowExports = ["PATENTS_TEST_BATCH": "4", "PATENTS_TEST_PAUSE_MS": "300"]
    static let lease = 2

    struct Node {
        let name: String
        let server: RunningServer
    }

    @Test func threeNodesShareTasksAndSurviveAKillAndAPause() async throws {
        let url = try PostgresServer.shared.createDatabase("cluster")
        let exports = try temporaryDirectory("cluster-exports")
        // The patents are imported through A only, into the shared database; B and C start
        // with empty folders and take them from its feed. One fixture folder comes later.
        let later = fixtures + "/uspto-legacy"
        let first = try temporaryDirectory("cluster-a")
        let paths = try FileManager.default.contentsOfDirectory(atPath: fixtures).map { fixtures + "/" + $0 }.filter { $0 != later }
        try runPatents(["import", "--data", first, "--database", url] + paths)
        let folders = [first, try temporaryDirectory("cluster-b"), try temporaryDirectory("cluster-c")]
        let (clientID, key) = try Self.client(database: url, data: first)
        var nodes: [Node] = []
        for (name, folder) in zip(["A", "B", "C"], folders) {
            nodes.append(Node(name: name, server: try RunningServer(
                data: folder, key: key, environment: Self.slowExports,
                arguments: ["--database", url, "--exports", exports, "--node", name, "--lease", String(Self.lease),
                            "--max-pending-per-client", "100"])))
        }
        defer {
            for node in nodes {
                kill(node.server.process.processIdentifier, SIGCONT)
                if node.server.process.isRunning { node.server.stop() }
            }
        }
        var logger = Logger(label: "cluster-test")
        logger.logLevel = .critical
        let database = try SharedDatabase(url: url, logger: logger, connections: 2)

        // Every node searches what A published; then a folder imported through C while it
        // serves is searched on A and B within 5 s (the feed's NOTIFY wakes them).
        let published = try await Self.count(nodes[0].server)
        #expect(published > 0)
        for node in nodes.dropFirst() { _ = try await Self.count(node.server, reaching: published, within: 60) }
        try runPatents(["import", "--data", folders[2], "--database", url, later])
        let total = try await Self.count(nodes[2].server)
        #expect(total > published, "the later folder adds patents: \(published) → \(total)")
        for node in nodes.prefix(2) {
            let seconds = try await Self.count(node.server, reaching: total, within: 30)
            #expect(seconds < 5, "node \(node.name) searched C's import after \(seconds) s")
        }

        // 30 exports, created in turn on A, B and C, of three sizes.
        let bodies = [20, 32, 40].map { rows in
            #"{"query_text": "PBD:[19000101 TO 20991231]", "fields": "PN,TTL,AN,APD,PBD", "export_type": "csv", "rows": \#(rows)}"#
        }
        var created: [(id: String, count: Int, body: Int, node: Int)] = []
        for index in 0..<30 {
            let answer = try await nodes[index % 3].server.call("POST", "/patent-search/export/V2", bodies[index % 3])
            let data = try #require(answer["data"] as? [String: Any], "\(answer)")
            created.append((try #require(data["task_id"] as? String), try #require(data["count"] as? Int), index % 3, index % 3))
        }

        // Each task records the feed revision its search saw: all of the feed by now.
        let head = try await database.patentFeed().head()
        #expect(head >= 2, "A's import and C's each published")
        #expect(try await Self.revisions(database) == [head], "the tasks' revisions")

        // kill -9 on B once it is mid-file; then A paused while it writes, past its lease.
        let killed = try await Self.midFile(database, worker: "B/")
        #expect(killLanded(nodes[1].server.process), "B had ended before the kill")
        let paused = try await Self.midFile(database, worker: "A/")
        kill(nodes[0].server.process.processIdentifier, SIGSTOP)
        try await Task.sleep(for: .seconds(Self.lease * 3))
        kill(nodes[0].server.process.processIdentifier, SIGCONT)

        // Every task ends SUCCESS; its link, made by the node that created it (A for B's,
        // B being gone), downloads from C.
        var digests: [Int: String] = [:]
        for task in created {
            let maker = nodes[task.node == 1 ? 0 : task.node].server
            let status = try await maker.finished(task.id, timeout: 120)
            #expect(status["export_status"] as? String == "SUCCESS", "task \(task.id): \(status)")
            let link = try #require(status["url"] as? String)
            #expect(link.hasPrefix(maker.base) && link.contains("kid="), "links name their signing key: \(link)")
            let file = try await nodes[2].server.download(nodes[2].server.base + link.dropFirst(maker.base.count))
            let digest = Array(SHA256.hash(data: file)).map { String(format: "%02x", $0) }.joined()
            #expect(digest == status["sha256"] as? String, "task \(task.id): the file is the one its SUCCESS recorded")
            #expect(csvRows(file).count == task.count + 1, "task \(task.id): a header and \(task.count) rows")
            // The same query always gives the same file, whichever node and attempt wrote it.
            #expect(digests[task.body, default: digest] == digest, "task \(task.id)")
            digests[task.body] = digest
        }

        #expect(try await Self.attempts(database, killed.taskID) >= 2, "the killed node's task was taken over")
        #expect(try await Self.attempts(database, paused.taskID) >= 2, "the paused node's task was taken over")
        let charges = try await Self.charges(database)
        #expect(charges.count == 30 && Set(charges).count == 30, "each task charged exactly once: \(charges.count)")
        let statement = try database.serviceStorage(exportsDirectory: exports, node: "check").accounts.statement(clientID)
        #expect(statement.toppedUp - statement.reserved + statement.released == statement.client.balance)
        #expect(statement.reserved - statement.charged - statement.released == statement.client.held)
        #expect(statement.client.held == 0 && statement.released == 0, "every task charged, none released")
        await database.close()
    }

    static let everything = #"{"query_text": "PBD:[19000101 TO 20991231]"}"#

    /// How many patents a node's index finds (P001).
    static func count(_ server: RunningServer) async throws -> Int {
        let answer = try await server.call("POST", "/search/patent/query-search-count/v2", everything)
        return try #require((answer["data"] as? [String: Any])?["total_search_result_count"] as? Int, "\(answer)")
    }

    /// Waits until a node finds `expected` patents; the seconds it took.
    static func count(_ server: RunningServer, reaching expected: Int, within limit: TimeInterval) async throws -> Double {
        let start = Date()
        var found = try await count(server)
        while found != expected, Date().timeIntervalSince(start) < limit {
            try await Task.sleep(for: .milliseconds(100))
            found = try await count(server)
        }
        #expect(found == expected, "after \(limit) s the node finds \(found) patents, not \(expected)")
        return Date().timeIntervalSince(start)
    }

    /// A client with a balance and a key, made through the CLI on the shared database.
    static func client(database url: String, data: String) throws -> (id: String, key: String) {
        let created = try JSONSerialization.jsonObject(with: Data(try output(builtPatentsBinary, [
            "clients", "create", "--data", data, "--database", url, "--name", "cluster", "--balance", "1000",
            "--rate-per-second", "1000", "--json",
        ]).utf8)) as? [String: String]
        let id = try #require(created?["client_id"])
        let key = try JSONSerialization.jsonObject(with: Data(try output(builtPatentsBinary, [
            "clients", "keys", "create", id, "--data", data, "--database", url, "--json",
        ]).utf8)) as? [String: String]
        return (id, try #require(key?["api_key"]))
    }

    /// Waits until a writer whose name starts with `worker` holds a task with rows written
    /// but not all of them.
    static func midFile(_ database: SharedDatabase, worker: String) async throws -> TaskClaim {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let rows = try await database.client.query("""
                SELECT id, attempt, worker FROM export_task
                WHERE worker LIKE \(worker + "%") AND status = 'PENDING' AND rows_written > 0 AND rows_written < count
                LIMIT 1
                """)
            for try await (id, attempt, name) in rows.decode((String, Int, String).self) {
                return TaskClaim(taskID: id, attempt: attempt, worker: name)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // What the tasks were doing instead, for the failure's message.
        var states: [String] = []
        let rows = try await database.client.query("""
            SELECT status, coalesce(worker, '-'), attempt, rows_written, count, coalesce(revision, 0) FROM export_task ORDER BY created_at
            """)
        for try await (status, name, attempt, written, count, revision) in rows.decode((String, String, Int, Int, Int, Int).self) {
            states.append("\(status) \(name) attempt \(attempt) rows \(written)/\(count) revision \(revision)")
        }
        throw E2EError("no task of \(worker) was mid-file within 60 s; the tasks: \(states.joined(separator: "; "))")
    }

    static func attempts(_ database: SharedDatabase, _ id: String) async throws -> Int {
        for try await attempt in try await database.client.query("SELECT attempt FROM export_task WHERE id = \(id)").decode(Int.self) {
            return attempt
        }
        return 0
    }

    static func revisions(_ database: SharedDatabase) async throws -> Set<Int> {
        var revisions = Set<Int>()
        for try await revision in try await database.client.query("SELECT DISTINCT revision FROM export_task").decode(Int.self) {
            revisions.insert(revision)
        }
        return revisions
    }

    static func charges(_ database: SharedDatabase) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query("SELECT task_id FROM ledger WHERE kind = 'charge'").decode(String.self) {
            ids.append(id)
        }
        return ids
    }
}
