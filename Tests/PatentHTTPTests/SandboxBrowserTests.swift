import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PatentTestSupport
import Testing

/// The sandbox page in a real browser: headless Chromium (Debian's chromium and
/// chromium-driver, installed by `make test`) driven through selenium by
/// `sandbox_browser.py` against the real binary's first run — API key, a query with a
/// syntax error, the fixed query's count and fee, preview, export, download, and the
/// reference at `/docs`. Screenshots land in `.build/sandbox-screenshots`.
@Suite(.serialized) struct SandboxBrowserTests {
    static let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/sandbox-screenshots").path

    @Test func aPersonGoesFromKeyToDownloadedFileInTheBrowser() async throws {
        let data = try temporaryDirectory("sandbox-browser")
        try runPatents(["import", "--data", data, fixtures])
        let server = try RunningServer(data: data, key: nil)
        defer { server.stop() }
        let keyLine = try #require(server.banner.split(separator: "\n").first { $0.contains("api key:") })
        let key = String(keyLine.split(separator: " ").last!)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sandbox_browser.py").path
        let printed = try run(testPython, [script, server.base, key, Self.screenshots])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any], "\(printed)")

        // What the server itself answers for the query the page counted and exported.
        let counted = try await server.call("POST", "/search/patent/query-search-count/v2",
                                            #"{"query_text": "TTL:battery OR TTL:vehicle"}"#, key: key)
        let total = try #require((counted["data"] as? [String: Any])?["total_search_result_count"] as? Int)

        #expect(summary["title"] as? String == "Patent export sandbox")
        #expect(summary["tab_from_key_reaches"] as? String == "connect", "Tab from the key field goes to Connect")
        #expect(summary["auth_status"] as? String == "Connected with the API key.")
        #expect(summary["key_in_url"] as? Bool == false)
        // "unexpected ')' at 17": the caret under the 17th character.
        #expect(summary["error_echo"] as? String == "TTL:(battery AND) OR cell")
        #expect(summary["error_caret"] as? String == String(repeating: " ", count: 16) + "^")
        #expect(summary["error_text"] as? String
                == "A parameter is not valid. (error 68300004: query_text: unexpected ')' at 17)")
        #expect(summary["count_text"] as? String == (total == 1 ? "1 patent matches" : "\(total) patents match"))
        // Default fields PN, TTL, AN, APD, PBD: AN is level 2, priced 2 cents a patent by default.
        let exported = min(total, 50)
        let fee = String(format: "%.2f", Double(exported * 2) / 100)
        #expect(summary["fee_text"] as? String == "Fee: \(exported == 1 ? "1 patent" : "\(exported) patents") × 0.02 (level 2) = \(fee)")
        #expect((summary["preview_rows"] as? [String])?.isEmpty == false)
        #expect(summary["window_error"] as? String == "rows must be between 1 and 100,000 for export_type csv")
        #expect((summary["curl"] as? String)?.contains(key) == false, "the snippet names a variable, never the key")
        #expect((summary["task_status"] as? String)?.contains("SUCCESS, 100 %") == true)
        let lines = try #require(summary["download_lines"] as? [String])
        #expect(lines.first == "PN,TTL,AN,APD,PBD", "the fields in the order they were chosen")
        #expect(summary["download_rows"] as? Int == exported)
        #expect(summary["phone_overflow"] as? Bool == false, "nothing wider than a 390 px phone")
        #expect((summary["console_errors"] as? [String])?.isEmpty == true, "\(summary["console_errors"] ?? "")")
        #expect(summary["docs_has_export"] as? Bool == true)
        #expect((summary["docs_console_errors"] as? [String])?.isEmpty == true, "\(summary["docs_console_errors"] ?? "")")
        for name in ["sandbox-desktop.png", "sandbox-phone.png", "sandbox-query-error-desktop.png", "docs-desktop.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: Self.screenshots + "/" + name)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name) saved")
        }
    }
}
