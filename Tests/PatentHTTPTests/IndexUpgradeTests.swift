import Foundation
import PatentTestSupport
import Testing
@testable import PatentIndex

/// An index written by an earlier version is never read: `serve` rebuilds it from the
/// store before it listens.
@Suite("Index upgrade")
struct IndexUpgradeTests {
    @Test("serve rebuilds an index of an earlier format before answering, and answers from the store's patents")
    func serveRebuildsAnOldIndex() async throws {
        let data = try temporaryDirectory("old-index-serve")
        try runPatents(["import", "--data", data, fixtures])
        let key = try makeClientKey(data: data)
        var server = try RunningServer(data: data, key: key)
        let query = #"{"query_text": "PBD:[19000101 TO 20991231]"}"#
        let expected = try #require(try await server.call("POST", "/search/patent/query-search-count/v2", query)["data"] as? [String: Any])
        server.stop()

        let index = (data as NSString).appendingPathComponent("index")
        for name in try FileManager.default.contentsOfDirectory(atPath: index) {
            try FileManager.default.removeItem(atPath: (index as NSString).appendingPathComponent(name))
        }
        let manifest = #"{"generation": 7, "storeRevision": 999999, "nextSegment": 2, "segments": [{"id": 1, "documents": 86, "deleted": 0}]}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: (index as NSString).appendingPathComponent("manifest.json")))
        try Data("PSEG0003 an earlier version's segment".utf8).write(to: URL(fileURLWithPath: (index as NSString).appendingPathComponent("seg-1.seg")))

        server = try RunningServer(data: data, key: key)
        defer { server.stop() }
        let answer = try #require(try await server.call("POST", "/search/patent/query-search-count/v2", query)["data"] as? [String: Any])
        #expect(answer["total_search_result_count"] as? Int == expected["total_search_result_count"] as? Int)
        #expect((expected["total_search_result_count"] as? Int ?? 0) > 50)
        let written = try String(contentsOfFile: (index as NSString).appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(written.contains("\"format\" : \(IndexManifest.currentFormat)"), "\(written)")
    }
}
