import Foundation
import HTTPTypes
import HummingbirdTesting
import PatentSearch
import PatentTestSupport
import Testing
@testable import PatentHTTP

/// P001 and P002: counting and previewing with the same language and collapse.
@Suite struct PreviewTests {
    @Test func countIsTheTotalAfterCollapse() async throws {
        let search = FixtureCorpus.shared.search
        var request = SearchRequest(query: "method")
        request.rows = 0
        let plain = try search.search(request).total
        request.collapse = Collapse(kind: .docdb)
        let collapsed = try search.search(request).total
        try await TestServer().run { client in
            for path in ["/search/patent/query-search-count/v2", "/search/patent/query-search-count"] {
                let answer = try await client.post(path, #"{"query_text": "method"}"#)
                #expect(answer.ok && answer.data["total_search_result_count"] as? Int == plain)
            }
            let folded = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "method", "collapse_type": "DOCDB"}"#)
            #expect(folded.data["total_search_result_count"] as? Int == collapsed)
            let bad = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "TTL:(a"}"#)
            #expect(bad.code == 68300004 && bad.message.hasPrefix("query_text: "))
        }
    }

    @Test func pageFollowsLimitOffsetAndTheRankedOrder() async throws {
        var request = SearchRequest(query: "method")
        request.offset = 5
        request.rows = 7
        let expected = try FixtureCorpus.shared.search.search(request)
        try await TestServer().run { client in
            let answer = try await client.post("/search/patent/query-search-patent/v2", #"{"query_text": "method", "limit": 7, "offset": 5}"#)
            let results = try #require(answer.data["results"] as? [[String: Any]])
            #expect(results.compactMap { $0["pn"] as? String } == expected.hits.map(\.pn))
            #expect(answer.data["result_count"] as? Int == 7)
            #expect(answer.data["total_search_result_count"] as? Int == 47)
            let id = try #require(results.first?["patent_id"] as? String)
            #expect(id.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil)
            #expect(id == PreviewRoutes.patentID(expected.hits[0].pn))
            let defaults = try await client.post("/search/patent/query-search-patent", #"{"query_text": "method"}"#)
            #expect(defaults.data["result_count"] as? Int == 10)
        }
    }

    @Test func sortKeysComeBeforeRelevance() async throws {
        try await TestServer().run { client in
            for order in ["ASC", "DESC"] {
                let answer = try await client.post("/search/patent/query-search-patent/v2",
                    #"{"query_text": "method", "limit": 47, "sort": [{"field": "PBDT_YEARMONTHDAY", "order": "\#(order)"}]}"#)
                let pns = (answer.data["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
                #expect(pns.count == 47)
                let dates = try pns.map { try FixtureCorpus.shared.store.patent($0)?.publicationDate?.value ?? 0 }
                let dated = dates.filter { $0 != 0 }
                #expect(dated == (order == "ASC" ? dated.sorted() : dated.sorted(by: >)))
                // Undated patents come last either way.
                #expect(dates.drop { $0 != 0 }.allSatisfy { $0 == 0 })
            }
        }
    }

    static let violations: [(String, String)] = [
        (#"{"query_text": "a", "limit": 0}"#, "limit must be between 1 and 1000, not 0"),
        (#"{"query_text": "a", "limit": 1001}"#, "limit must be between 1 and 1000, not 1001"),
        (#"{"query_text": "a", "offset": -1}"#, "offset must be 0 or more"),
        (#"{"query_text": "a", "offset": 19500, "limit": 501}"#, "offset + limit must be at most 20000, not 20001"),
        (#"{"query_text": "a", "offset": 9223372036854775807}"#, "offset + limit must be at most 20000, not 9223372036854775807 + 10"),
        (#"{"query_text": "a", "sort": {"field": "ISD"}}"#, "sort must be an array"),
        (#"{"query_text": "a", "sort": [{"order": "ASC"}]}"#, "sort[0].field is required"),
        (#"{"query_text": "a", "sort": [{"field": "TTL"}]}"#, "sort[0].field must be one of SCORE, PBDT_YEARMONTHDAY, APD_YEARMONTHDAY, ISD, not 'TTL'"),
        (#"{"query_text": "a", "sort": [{"field": "ISD", "order": "UP"}]}"#, "sort[0].order must be one of ASC, DESC"),
        (#"{"query_text": "a", "sort": ["ISD"]}"#, "sort[0] must be a JSON object, not a string"),
        (#"{"limit": 5}"#, "query_text is required"),
    ]

    @Test(arguments: violations.indices)
    func pageParametersAreChecked(_ index: Int) async throws {
        let (body, message) = Self.violations[index]
        try await TestServer().run { client in
            let answer = try await client.post("/search/patent/query-search-patent/v2", body)
            #expect(answer.code == 68300004)
            #expect(answer.message.contains(message), "\(body) → \(answer.message)")
        }
    }

    @Test func healthReportsTheCorpus() async throws {
        try await TestServer().run { client in
            let answer = try await client.get("/health")
            #expect(answer.ok)
            #expect(answer.data["patents"] as? Int == (try FixtureCorpus.shared.store.count()))
            #expect((answer.data["index_generation"] as? Int ?? 0) >= 1)
            // The checksums are verified in the background after the first open.
            var verified = answer.data["index_verified"] as? Bool
            for _ in 0..<200 where verified != true {
                try await Task.sleep(for: .milliseconds(25))
                verified = try await client.get("/health").data["index_verified"] as? Bool
            }
            #expect(verified == true)
        }
    }
}

/// Our OpenAPI document: served, and valid by openapi-spec-validator (PyPI), which
/// `make test` installs into `.build/venv`.
@Suite struct OpenAPITests {
    @Test func aDocumentedRouteAskedWithAnotherMethodIs405WithTheMethodsItHas() async throws {
        try await TestServer().run { client in
            for (method, path, allowed) in [(HTTPRequest.Method.delete, "/patent-search/task?task_id=x", "GET"),
                                            (.get, "/patent-search/export/V2", "POST"), (.put, "/oauth/token", "POST"),
                                            (.post, "/sandbox", "GET"), (.patch, "/patent-search/download/abc/f.csv", "GET, HEAD")] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allowed, "\(method) \(path)")
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect(body?["error_code"] as? Int == 68300007)
                }
            }
            // An unknown path stays 404; a documented one's own 404 (an unknown task file) too.
            try await client.execute(uri: "/no/such/route", method: .post) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/patent-search/download/abc/f.csv", method: .get) { #expect($0.status != .methodNotAllowed) }
        }
    }

    @Test func theDocumentIsServedAndValid() async throws {
        try await TestServer().run { client in
            let body = try await client.execute(uri: "/openapi.json", method: .get) { Data(buffer: $0.body) }
            let document = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            // Every route the server answers (`PatentServer.router` and the route types it registers).
            let routes = ExportRoutes.createPaths + ["/patent-search/task", "/patent-search/download/{task_id}/{file_name}",
                          "/search/patent/query-search-count/v2", "/search/patent/query-search-count",
                          "/search/patent/query-search-patent/v2", "/search/patent/query-search-patent",
                          "/oauth/token", "/health", "/metrics", "/openapi.json", "/", "/sandbox", "/sandbox/catalogue", "/docs"]
            #expect(Set(paths.keys) == Set(routes))
            let file = try PatentTestSupport.temporaryDirectory("openapi") + "/openapi.json"
            try body.write(to: URL(fileURLWithPath: file))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: testPython)
            process.arguments = ["-m", "openapi_spec_validator", file]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "openapi-spec-validator: \(text)")
        }
    }
}
