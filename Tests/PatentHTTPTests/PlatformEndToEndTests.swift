import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PatentTestSupport
import Testing

/// The first run of the real binary: the demo client it prints works — through its own
/// curl sequence and through patsnap-pythonsdk, an independent PatSnap client.
@Suite(.serialized) struct PlatformEndToEndTests {

    func value(_ label: String, in banner: String) throws -> String {
        let line = try #require(banner.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) })
        return String(line.split(separator: " ").last!)
    }

    @Test func theDemoClientOfAFirstRunServesThePatSnapSDKAndThePrintedCurlSession() async throws {
        let data = try temporaryDirectory("e2e-first-run")
        try runPatents(["import", "--data", data, fixtures])
        let server = try RunningServer(data: data, key: nil)
        defer { server.stop() }
        #expect(server.banner.contains("First run: a demo client was created (balance 100.00)"))
        let id = try value("client_id:", in: server.banner)
        let secret = try value("client_secret:", in: server.banner)
        #expect(try value("api key:", in: server.banner).hasPrefix("sk-"))

        // Without credentials nothing is served.
        let refused = try await server.call("POST", "/search/patent/query-search-count/v2", #"{"query_text": "method"}"#)
        #expect(refused["error_code"] as? Int == 67200003)

        let sdk = try output(testPython, [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("patsnap_sdk_client.py").path,
            server.base, id, secret, "method",
        ])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(sdk.utf8)) as? [String: Any], "\(sdk)")
        #expect(result["total"] as? Int == 47)
        #expect(result["task_count"] as? Int == 10)
        #expect(result["status"] as? String == "SUCCESS")
        #expect(result["download_status"] as? Int == 200)
        #expect((result["content_type"] as? String)?.hasPrefix("text/csv") == true)
        let rows = csvRows(Data((result["csv"] as? String ?? "").utf8))
        #expect(rows.first == ["PN", "TTL", "APD"])
        #expect(rows.count == 11)

        // The banner's curl lines, pasted into a shell, create a task and report it.
        let lines = server.banner.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.contains("Try it:") })
        let end = try #require(lines.firstIndex { $0.contains("# then download") })
        let session = lines[(start + 1)..<end].joined(separator: "\n")
        let status = try output("/bin/bash", ["-c", session])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [String: Any], "\(status)")
        #expect(answer["status"] as? Bool == true)
        #expect(((answer["data"] as? [String: Any])?["count"] as? Int ?? 0) > 0)
    }

    func json(_ arguments: [String]) throws -> Any {
        let text = try output(builtPatentsBinary, arguments)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func theClientsAndFieldsCommandsManageAccountsForScripts() throws {
        let data = try temporaryDirectory("cli-clients")
        let created = try #require(try json(["clients", "create", "--data", data, "--name", "Acme", "--balance", "12.50",
                                             "--max-level", "2", "--daily-quota", "100", "--json"]) as? [String: String])
        let id = try #require(created["client_id"])
        #expect(created["client_secret"]?.count == 43)
        try runPatents(["clients", "topup", id, "2.5", "--note", "invoice 1", "--data", data])
        try runPatents(["clients", "set-rate", id, "--per-second", "5", "--data", data])
        try runPatents(["clients", "expire", id, "--at", "2030-01-31", "--data", data])
        try runPatents(["fields", "price", "2", "0.05", "--data", data])
        let key = try #require((try json(["clients", "keys", "create", id, "--data", data, "--json"]) as? [String: String])?["api_key"])
        let shown = try #require(try json(["clients", "show", id, "--data", data, "--json"]) as? [String: Any])
        let client = try #require(shown["client"] as? [String: Any])
        #expect(client["balance"] as? Int == 15_00)
        #expect(client["maxLevel"] as? Int == 2 && client["dailyQuota"] as? Int == 100 && client["ratePerSecond"] as? Int == 5)
        #expect((client["expiresAt"] as? String)?.hasPrefix("2030-01-31") == true)
        let entries = try #require(shown["entries"] as? [[String: Any]])
        #expect(entries.map { $0["amount"] as? Int } == [12_50, 2_50])
        #expect(entries.map { $0["note"] as? String } == ["opening balance", "invoice 1"])
        #expect(((shown["keys"] as? [[String: Any]])?.first?["prefix"] as? String) == String(key.prefix(11)))
        let fields = try #require(try json(["fields", "--data", data, "--json"]) as? [String: Any])
        let prices = (fields["level_prices"] as? [[String: Any]])?.map { $0["unit_price"] as? String }
        #expect(prices == ["0.01", "0.05", "0.10"])
        let abstract = (fields["fields"] as? [[String: Any]])?.first { $0["code"] as? String == "ABST" }
        #expect(abstract?["level"] as? Int == 2 && abstract?["unit_price"] as? String == "0.05")
        // Refusals name the problem and change nothing.
        #expect(throws: (any Error).self) { try runPatents(["clients", "topup", id, "1.234", "--data", data]) }
        #expect(throws: (any Error).self) { try runPatents(["clients", "show", "nobody", "--data", data]) }
        let after = try #require(try json(["clients", "show", id, "--data", data, "--json"]) as? [String: Any])
        #expect((after["client"] as? [String: Any])?["balance"] as? Int == 15_00)
    }
}
