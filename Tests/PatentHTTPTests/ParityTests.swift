import Foundation
import HummingbirdTesting
import PatentAccounts
import PatentIngest
import PatentModel
import PatentStore
import PatentSearch
import PatentTasks
import PatentTestSupport
import Testing
@testable import PatentHTTP

/// What a PatSnap client or user would hit (API.md "Changes"), over HTTP.
@Suite struct ParityTests {
    static let page = "/search/patent/query-search-patent/v2"

    func pns(_ answer: Answer) -> [String] {
        (answer.data["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
    }

    @Test("APNO with collapse_order and no collapse_by picks by publication date, as PatSnap documents")
    func applicationCollapseOrder() async throws {
        // EP2906782A2 (2015-08-19) and EP2906782A4 (2016) share application EP13844704.
        let dates = try ["EP2906782A2", "EP2906782A4"].map { try FixtureCorpus.shared.store.patent($0)?.publicationDate?.value ?? 0 }
        #expect(dates[0] < dates[1])
        try await TestServer().run { client in
            for (order, expected) in [("OLDEST", "EP2906782A2"), ("LATEST", "EP2906782A4")] {
                let answer = try await client.post(Self.page,
                    #"{"query_text": "APNO:EP13844704", "collapse_type": "APNO", "collapse_order": "\#(order)"}"#)
                #expect(pns(answer) == [expected], "\(order)")
            }
            // An explicit collapse_by still rules: SCORE ignores the order.
            let byScore = try await client.post(Self.page,
                #"{"query_text": "APNO:EP13844704", "collapse_type": "APNO", "collapse_by": "SCORE", "collapse_order": "OLDEST"}"#)
            let oldest = try await client.post(Self.page,
                #"{"query_text": "APNO:EP13844704", "collapse_type": "APNO", "collapse_by": "PBD", "collapse_order": "OLDEST"}"#)
            #expect(pns(oldest) == ["EP2906782A2"])
            #expect(pns(byScore).count == 1)
        }
    }

    @Test("\"\" and null mean \"not given\" for every optional parameter")
    func emptyMeansUnset() async throws {
        let optional = ["collapse_type", "collapse_by", "collapse_order", "collapse_order_authority", "lang", "trans_lang",
                        "apdt_from", "apdt_to", "pbdt_from", "pbdt_to", "offset", "stemming"]
        try await TestServer().run { client in
            let plain = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 5}"#)
            #expect(plain.ok)
            for empty in ["\"\"", "null"] {
                let all = optional.map { "\"\($0)\": \(empty)" }.joined(separator: ", ")
                let answer = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 5, \#(all)}"#)
                #expect(answer.ok, "\(empty): \(answer.message)")
                #expect(answer.data["count"] as? Int == plain.data["count"] as? Int)
                let count = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "method", \#(all)}"#)
                #expect(count.ok && count.data["total_search_result_count"] as? Int == 47, "\(empty)")
            }
        }
    }

    @Test("P002 takes queries of 12,000 characters; P001 and export refuse over 2,000")
    func queryLengths() async throws {
        // "method OR method OR …" padded to exactly the length.
        @Sendable func query(_ length: Int) -> String {
            var text = "method"
            while text.count + 10 <= length { text += " OR method" }
            return text + String(repeating: " ", count: length - text.count)
        }
        try await TestServer().run { client in
            let long = try await client.post(Self.page, #"{"query_text": "\#(query(12_000))"}"#)
            #expect(long.ok && long.data["total_search_result_count"] as? Int == 47, "\(long.message)")
            let tooLong = try await client.post(Self.page, #"{"query_text": "\#(query(12_001))"}"#)
            #expect(tooLong.code == 68300004 && tooLong.message.contains("longer than 12000"))
            let count = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "\#(query(2_001))"}"#)
            #expect(count.code == 68300004 && count.message.contains("longer than 2000"))
            let export = try await client.export(#"{"query_text": "\#(query(2_001))", "fields": "PN", "export_type": "csv", "rows": 5}"#)
            #expect(export.code == 68300004 && export.message.contains("longer than 2000"))
            let fits = try await client.export(#"{"query_text": "\#(query(2_000))", "fields": "PN", "export_type": "csv", "rows": 5}"#)
            #expect(fits.ok)
        }
    }

    @Test("every answer is the envelope: unknown routes and methods, bodies too large, refused downloads")
    func everyErrorInTheEnvelope() async throws {
        try await TestServer().run { client in
            let unknown = try await client.get("/no/such/route")
            #expect(unknown.status == 404 && unknown.code == 68300007 && unknown.json["status"] as? Bool == false)
            #expect(unknown.message.contains("/no/such/route"))
            let method = try await client.execute(uri: "/patent-search/export/V2", method: .delete) { Answer($0) }
            #expect([404, 405].contains(method.status) && method.code == 68300007, "\(method.status)")
            let large = try await client.post("/patent-search/export/V2", String(repeating: " ", count: 2 << 20))
            #expect(large.status == 413 && large.code == 68300007)
            let unsigned = try await client.get("/patent-search/download/abc/file.csv")
            #expect(unsigned.status == 403 && unsigned.code == 68300004 && unsigned.message == "the link is not signed")
            let forged = try await client.get("/patent-search/download/abc/file.csv?expires=99999999999&signature=00")
            #expect(forged.status == 403 && forged.code == 68300004 && forged.message == "the link is invalid or has expired")
        }
    }

    @Test("a package's own allowance of patents: used up, 67200004 (HTTP 403); the daily quota stays 67200002")
    func packageQuota() async throws {
        let server = try TestServer()
        let (client, _, key) = try server.makeClient { $0.balance = 1_000_00 }
        try server.tasks.accounts.setPackage(client.id, apis: Set(PlatformAPI.allCases), maxLevel: 3,
                                             allowance: PackageAllowance(patents: 5, period: .month))
        #expect(try server.tasks.accounts.client(client.id)?.packageAllowance == PackageAllowance(patents: 5, period: .month))
        try await server.run { api in
            let client = api.with(key: key)
            let first = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 3}"#)
            #expect(first.ok && first.data["count"] as? Int == 3)
            let second = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 3}"#)
            #expect(second.status == 403 && second.code == 67200004)
            #expect(second.message.hasPrefix("No permission or API package quota has exceeded the limit"))
            #expect(second.message.contains("6 of 5 patents"))
            let rest = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 2}"#)
            #expect(rest.ok)
        }
    }

    /// Creates a json export, waits for it and returns its rows (nil when refused).
    static func exportedRows(_ client: TestAPI, _ server: TestServer, _ body: String) async throws -> [[String: Any]]? {
        let created = try await client.export(body)
        guard created.ok, let id = created.data["task_id"] as? String else { return nil }
        server.tasks.waitUntilIdle()
        let done = try await client.get("/patent-search/task?task_id=\(id)")
        let url = try #require(done.data["url"] as? String, "\(done.json)")
        let path = String(url.dropFirst("http://patents.test".count))
        return try await client.execute(uri: path, method: .get) { response in
            try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]]
        }
    }

    @Test("operators set field levels; the fee and the package check follow them; ANC is exportable")
    func fieldLevels() async throws {
        let server = try TestServer()
        let (client, _, key) = try server.makeClient { $0.balance = 1_000_00; $0.maxLevel = 2 }
        try await server.run { api in
            let client = api.with(key: key)
            let body = #"{"query_text": "method", "fields": "PN,ABST,ANC", "export_type": "json", "rows": 4}"#
            let rows = try #require(try await Self.exportedRows(client, server, body))
            for row in rows {
                let patent = try #require(try FixtureCorpus.shared.store.patent(row["PN"] as! String))
                let current = (patent.assignees.isEmpty ? patent.applicants : patent.assignees).map(\.name)
                #expect(row["ANC"] as? [String] == current.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } })
            }
            try server.tasks.accounts.setFieldLevel("abst", level: 3)
            #expect(try server.tasks.accounts.fieldLevels().overrides == ["ABST": 3])
            let refused = try await client.export(body)
            #expect(refused.status == 403 && refused.code == 67200004 && refused.message.contains("field ABST is field level 3"))
            try server.tasks.accounts.setFieldLevel("ABST", level: nil)
            #expect(try await client.export(body).ok)
        }
        #expect(throws: AccountStore.Failure.self) { try server.tasks.accounts.setFieldLevel("NOPE", level: 1) }
        #expect(throws: AccountStore.Failure.self) { try server.tasks.accounts.setFieldLevel("PN", level: 4) }
        _ = client
    }

    @Test("the file holds the result fixed at create, with the records as stored when it is written; the task says both times")
    func snapshotTimes() async throws {
        let corpus = try FixtureCorpus("parity-snapshot")
        let store = corpus.store
        let server = try TestServer(store: store, search: corpus.search, start: false)
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "PN:US11147202B2", "fields": "PN,TTL", "export_type": "json", "rows": 5}"#)
            let id = try #require(created.data["task_id"] as? String)
            let pending = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(pending.data["result_as_of"] as? String == server.clock.now.formatted(.iso8601))
            #expect(pending.data["records_as_of"] == nil)
            // Re-imported with another title between create and write.
            var patent = try #require(try store.patent("US11147202B2"))
            patent.titles = [LocalizedText(language: "en", text: "A title given after the task was created")]
            try store.upsert([patent])
            server.clock.advance(60)
            try server.tasks.start()
            server.tasks.waitUntilIdle()
            let done = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(done.data["records_as_of"] as? String == server.clock.now.formatted(.iso8601))
            let url = try #require(done.data["url"] as? String)
            let rows = try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) {
                try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [[String: Any]]
            }
            #expect(rows?.first?["TTL"] as? String == "A title given after the task was created")
        }
    }

    @Test("lang and trans_lang choose the language of the file's text: lang first, then trans_lang, then the original")
    func languagesOfTheFile() async throws {
        let server = try TestServer()
        let titles = try #require(try FixtureCorpus.shared.store.patent("EP2906782A2")?.titles)
        @Sendable func title(_ language: String) -> String? { titles.first { $0.language == language }?.text }
        #expect(Set(titles.map(\.language)).isSuperset(of: ["de", "en", "fr"]))
        try await server.run { client in
            for (lang, trans, expected) in [("de", "en", "de"), ("fr", "en", "fr"), ("jp", "en", "en"), ("en", "jp", "en"), ("kr", "jp", "en")] {
                let rows = try #require(try await Self.exportedRows(client, server,
                    #"{"query_text": "PN:EP2906782A2", "fields": "PN,TTL", "export_type": "json", "rows": 1, "lang": "\#(lang)", "trans_lang": "\#(trans)"}"#))
                #expect(rows.first?["TTL"] as? String == title(expected), "lang \(lang), trans_lang \(trans)")
            }
        }
    }

    @Test("stemming 1 widens the match; date bounds are inclusive, for application and publication dates")
    func stemmingAndDates() async throws {
        let search = FixtureCorpus.shared.search
        var request = SearchRequest(query: "ABST:methods")
        request.rows = 0
        let exact = try search.search(request).total
        request.stemming = true
        let stemmed = try search.search(request).total
        #expect(stemmed > exact)
        let patent = try #require(try FixtureCorpus.shared.store.patent("US11147202B2"))
        let apd = try #require(patent.application?.date?.value)
        let pbd = try #require(patent.publicationDate?.value)
        try await TestServer().run { client in
            func count(_ extra: String) async throws -> Int? {
                let answer = try await client.export(#"{"fields": "PN", "export_type": "csv", "rows": 100, \#(extra)}"#)
                #expect(answer.ok, "\(extra): \(answer.message)")
                return answer.data["count"] as? Int
            }
            let counts = [
                try await count(#""query_text": "ABST:methods""#),
                try await count(#""query_text": "ABST:methods", "stemming": 1"#),
            ]
            #expect(counts == [exact, stemmed])
            let one = #""query_text": "PN:US11147202B2""#
            var bounded: [Int?] = []
            for bounds in [#""apdt_from": "\#(apd)", "apdt_to": "\#(apd)""#, #""apdt_from": "\#(apd + 1)""#, #""apdt_to": "\#(apd - 1)""#,
                           #""pbdt_from": "\#(pbd)", "pbdt_to": "\#(pbd)""#, #""pbdt_to": "\#(pbd - 1)""#] {
                bounded.append(try await count(one + ", " + bounds))
            }
            #expect(bounded == [1, 0, 0, 1, 0])
        }
    }

    @Test("a download link stays valid for 7 days after its file, though the task id answers only for 24 h")
    func linkOutlivesTheTask() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "method", "fields": "PN,TTL,PN,APD,TTL", "export_type": "csv", "rows": 3}"#)
            let id = try #require(created.data["task_id"] as? String)
            server.tasks.waitUntilIdle()
            let url = try #require(try await client.get("/patent-search/task?task_id=\(id)").data["url"] as? String)
            let path = String(url.dropFirst("http://patents.test".count))
            server.clock.advance(6 * 86_400)
            let expired = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(expired.code == 68300004)
            let body = try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                return String(decoding: Data(buffer: response.body), as: UTF8.self)
            }
            // Duplicate fields are written once, in the place they first appear.
            #expect(body.split(separator: "\r\n").first.map { String($0).trimmingCharacters(in: ["\u{FEFF}"]) } == "PN,TTL,APD")
            server.clock.advance(86_400 + 1)
            let gone = try await client.get(path)
            #expect(gone.status == 403 && gone.code == 68300004)
        }
    }

    @Test("total is the match count after collapse (capped at the 100,000 window), the number P001 gives; count is the rows")
    func totalAndCount() async throws {
        #expect(ExportSpecification.window == 100_000)
        try await TestServer().run { client in
            for extra in ["", #", "collapse_type": "DOCDB""#, #", "collapse_type": "APNO""#] {
                let created = try await client.export(#"{"query_text": "method OR FAM_ID:50474376", "fields": "PN", "export_type": "csv", "rows": 5\#(extra)}"#)
                let counted = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "method OR FAM_ID:50474376"\#(extra)}"#)
                let total = try #require(created.data["total"] as? Int)
                #expect(total == counted.data["total_search_result_count"] as? Int, "\(extra)")
                #expect(total > 5 && created.data["count"] as? Int == 5)
            }
        }
    }
}
