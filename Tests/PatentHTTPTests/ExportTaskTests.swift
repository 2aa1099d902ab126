import Crypto
import Foundation
import GRDB
import HummingbirdTesting
import PatentImport
import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import PatentSearch
@testable import PatentAccounts
@testable import PatentTasks
import Testing
@testable import PatentHTTP

/// The task lifecycle over HTTP: count, status, file content, signed downloads, expiry.
@Suite struct ExportTaskTests {
    /// The engine's own ranking of a query: the oracle for counts and file order.
    func ranked(_ query: String, offset: Int = 0, rows: Int, collapse: Collapse? = nil) throws -> SearchResult {
        var request = SearchRequest(query: query)
        request.offset = offset
        request.rows = rows
        request.collapse = collapse
        return try FixtureCorpus.shared.search.search(request)
    }

    @Test func countIsRowsWithinTheTotalAfterOffset() async throws {
        #expect(try ranked("method", rows: 0).total == 47)
        // The fixtures' one big family (11 publications) joins the query, so collapse has work to do.
        let family = try #require(try FixtureCorpus.shared.store.familyID(of: "EP2906782A2", level: .docdb))
        let query = "method OR FAM_ID:\(family)"
        let total = try ranked(query, rows: 0).total
        let collapsed = try ranked(query, rows: 0, collapse: Collapse(kind: .docdb)).total
        #expect(total == 58)
        #expect(collapsed == 48)
        try await TestServer().run { client in
            let cases: [(String, Int, Int)] = [
                (#""rows": 10"#, 10, total), (#""rows": 10, "offset": 56"#, 2, total), (#""rows": 10, "offset": 60"#, 0, total),
                (#""rows": 100000"#, total, total), (#""rows": 100, "collapse_type": "DOCDB""#, collapsed, collapsed),
            ]
            for (window, count, expectedTotal) in cases {
                let answer = try await client.export(#"{"query_text": "\#(query)", "fields": "PN", "export_type": "csv", \#(window)}"#)
                #expect(answer.ok)
                #expect(answer.data["count"] as? Int == count, "\(window)")
                #expect(answer.data["total"] as? Int == expectedTotal, "\(window)")
            }
        }
    }

    @Test func taskGoesFromPendingToSuccessAndTheFileHoldsTheRankedPatents() async throws {
        let server = try TestServer(start: false)
        let expected = try ranked("method", offset: 3, rows: 20).hits.map(\.pn)
        try await server.run { client in
            let created = try await client.export(
                #"{"query_text": "method", "fields": "PN,TTL,APD,PBD,AN,IPC,FAM_ID", "export_type": "json", "rows": 20, "offset": 3}"#)
            let id = try #require(created.data["task_id"] as? String)
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            let pending = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(pending.data["export_status"] as? String == "PENDING")
            #expect(pending.data["count"] as? Int == 20)
            #expect(pending.data["url"] == nil)
            #expect(pending.data["percent"] as? Int == 0)

            try server.tasks.start()
            server.tasks.waitUntilIdle()
            let done = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(done.data["export_status"] as? String == "SUCCESS")
            #expect(done.data["rows_written"] as? Int == 20)
            #expect(done.data["percent"] as? Int == 100)
            let url = try #require(done.data["url"] as? String)
            #expect(url.hasPrefix("http://patents.test/patent-search/download/\(id)/"))
            #expect(url.range(of: #"/\d{17}\.JSON\?expires=\d+(&kid=[0-9a-f]{16})?&signature=[0-9a-f]{64}$"#, options: .regularExpression) != nil)

            let path = String(url.dropFirst("http://patents.test".count))
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = Data(buffer: response.body)
                #expect(response.headers[.contentLength] == String(body.count))
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"") == true)
                #expect(response.headers[.init("X-Content-SHA256")!] == SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined())
                #expect(done.data["sha256"] as? String == response.headers[.init("X-Content-SHA256")!])
                let rows = try JSONSerialization.jsonObject(with: body) as! [[String: Any]]
                #expect(rows.map { $0["PN"] as? String } == expected)
                // Values come from the stored records.
                for row in rows.prefix(5) {
                    let patent = try #require(try FixtureCorpus.shared.store.patent(row["PN"] as! String))
                    #expect(row["PBD"] as? String == patent.publicationDate?.iso)
                    #expect(row["IPC"] as? [String] == patent.ipc)
                    #expect(row["TTL"] as? String == (patent.titles.first { $0.language == "en" } ?? patent.titles.first)?.text)
                }
            }
        }
    }

    @Test func anEmptyResultGivesAFileWithTheHeaderOnly() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "zzzqqq", "fields": "PN,TTL", "export_type": "csv", "rows": 10}"#)
            #expect(created.data["count"] as? Int == 0)
            server.tasks.waitUntilIdle()
            let done = try await client.get("/patent-search/task?task_id=\(created.data["task_id"] as! String)")
            #expect(done.data["export_status"] as? String == "SUCCESS")
            #expect(done.data["percent"] as? Int == 100)
            let url = try #require(done.data["url"] as? String)
            try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) { response in
                #expect(Array(Data(buffer: response.body)) == [0xEF, 0xBB, 0xBF] + Array("PN,TTL\r\n".utf8))
            }
        }
    }

    /// Queries that match nothing cost no file each: every empty csv of the same fields is
    /// one shared header-only file, and each task still downloads it under its own name.
    @Test func emptyResultsShareOneFile() async throws {
        let server = try TestServer()
        try await server.run { client in
            var ids: [String] = []
            for query in ["zzzqqq", "qqqzzz", "zzzqqq"] {
                let created = try await client.export(#"{"query_text": "\#(query)", "fields": "PN,TTL", "export_type": "csv", "rows": 10}"#)
                ids.append(try #require(created.data["task_id"] as? String))
            }
            let json = try await client.export(#"{"query_text": "zzzqqq", "fields": "PN,TTL", "export_type": "json", "rows": 10}"#)
            server.tasks.waitUntilIdle()
            let exports = server.tasks.dataDirectory + "/exports"
            #expect(ids.allSatisfy { !FileManager.default.fileExists(atPath: exports + "/\($0)") }, "no folder per empty task")
            #expect(try FileManager.default.contentsOfDirectory(atPath: exports + "/empty").count == 2, "one file per type and fields")
            for id in ids {
                let done = try await client.get("/patent-search/task?task_id=\(id)")
                #expect(done.data["export_status"] as? String == "SUCCESS")
                let url = try #require(done.data["url"] as? String)
                try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) { response in
                    #expect(Array(Data(buffer: response.body)) == [0xEF, 0xBB, 0xBF] + Array("PN,TTL\r\n".utf8))
                }
            }
            #expect(json.ok)
        }
    }

    @Test func unknownMalformedMissingForeignAndExpiredTasksAreInvalidParameters() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 1}"#)
            let id = created.data["task_id"] as! String
            #expect(try await client.get("/patent-search/task?task_id=\(id)").ok)
            let missing = try await client.get("/patent-search/task")
            #expect(missing.code == 68300004 && missing.message == "task_id is required")
            let malformed = try await client.get("/patent-search/task?task_id=xyz")
            #expect(malformed.code == 68300004 && malformed.message.contains("32 hexadecimal"))
            let unknown = try await client.get("/patent-search/task?task_id=\(String(repeating: "0", count: 32))")
            #expect(unknown.code == 68300004 && unknown.message.contains("unknown or has expired"))
            // Another client's task answers exactly like an unknown one.
            #expect(throws: ServiceError.invalidParameter("task_id \(id) is unknown or has expired")) {
                try server.tasks.task(id, owner: "someone-else")
            }
            server.clock.advance(24 * 3600 + 1)  // API.md: a task lives 24 hours
            let expired = try await client.get("/patent-search/task?task_id=\(id)")
            #expect(expired.code == 68300004 && expired.message.contains("unknown or has expired"))
        }
    }

    /// API.md: fields keep their order and lose their repeats (the first place counts).
    @Test func repeatedFieldsAreWrittenOnceInTheirFirstPlace() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "method", "fields": "TTL,PN,TTL,APD,PN", "export_type": "csv", "rows": 2}"#)
            let id = try #require(created.data["task_id"] as? String)
            server.tasks.waitUntilIdle()
            let url = try #require(try await client.get("/patent-search/task?task_id=\(id)").data["url"] as? String)
            let file = try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) {
                String(decoding: Data(buffer: $0.body), as: UTF8.self)
            }
            #expect(file.hasPrefix("\u{FEFF}TTL,PN,APD\r\n"), "\(file.prefix(40))")
            #expect(file.split(separator: "\r\n").count == 3)
        }
    }

    @Test func downloadsNeedAValidUnexpiredSignatureAndSupportRanges() async throws {
        let server = try TestServer()
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "method", "fields": "PN,TTL", "export_type": "csv", "rows": 30}"#)
            let id = created.data["task_id"] as! String
            server.tasks.waitUntilIdle()
            let url = try #require(try await client.get("/patent-search/task?task_id=\(id)").data["url"] as? String)
            let path = String(url.dropFirst("http://patents.test".count))
            let whole = try await client.execute(uri: path, method: .get) { Data(buffer: $0.body) }
            #expect(whole.count > 100)

            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=10-19"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 10-19/\(whole.count)")
                #expect(Data(buffer: response.body) == whole[10..<20])
            }
            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=-5"]) { response in
                #expect(Data(buffer: response.body) == whole.suffix(5))
            }
            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=50-"]) { response in
                #expect(Data(buffer: response.body) == whole.dropFirst(50))
            }
            try await client.execute(uri: path, method: .get, headers: [.range: "bytes=\(whole.count)-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(whole.count)")
            }
            try await client.execute(uri: path, method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String(whole.count))
                #expect(response.body.readableBytes == 0)
            }
            // Tampering with any part of the link is refused.
            let tampered = [
                path.replacingOccurrences(of: "signature=", with: "signature=0"),
                path.replacingOccurrences(of: "expires=", with: "expires=1"),
                path.replacingOccurrences(of: id, with: String(id.reversed())),
                String(path.prefix { $0 != "?" }),
            ]
            for link in tampered {
                try await client.execute(uri: link, method: .get) { #expect($0.status == .forbidden, "\(link)") }
            }
            // Links stop working after 7 days, and the sweeper deletes task and file.
            server.clock.advance(7 * 24 * 3600 + 1)  // API.md: a download link lives 7 days
            try await client.execute(uri: path, method: .get) { #expect($0.status == .forbidden) }
            #expect(server.tasks.sweep() == 1)
            #expect(!FileManager.default.fileExists(atPath: server.tasks.dataDirectory + "/exports/\(id)"))
        }
    }

    @Test func theFileHoldsTheSnapshotEvenWhenPatentsArriveMeanwhile() async throws {
        let corpus = try FixtureCorpus("http-snapshot")
        let (store, index) = (corpus.store, corpus.search.indexDirectory)
        let server = try TestServer(store: store, search: corpus.search, start: false)
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "TTL:zebrafish", "fields": "PN,TTL", "export_type": "csv", "rows": 100}"#)
            #expect(created.data["count"] as? Int == 0)
            let before = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "json", "rows": 100}"#)
            // A new patent matching both queries arrives and is indexed before the files are written.
            var patent = Patent(publication: PublicationNumber(office: "US", number: "99999999", kind: "B1")!)
            patent.titles = [LocalizedText(language: "en", text: "Zebrafish method")]
            patent.publicationDate = PatentDate("20300101")
            try store.upsert([patent])
            try IndexUpdater(store: store, directory: index).update()
            let after = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "TTL:zebrafish"}"#)
            #expect(after.data["total_search_result_count"] as? Int == 1)

            try server.tasks.start()
            server.tasks.waitUntilIdle()
            for (answer, expected) in [(created, 0), (before, 47)] {
                let status = try await client.get("/patent-search/task?task_id=\(answer.data["task_id"] as! String)")
                #expect(status.data["export_status"] as? String == "SUCCESS")
                let url = try #require(status.data["url"] as? String)
                let body = try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) {
                    Data(buffer: $0.body)
                }
                if expected == 0 {
                    #expect(String(decoding: body.dropFirst(3), as: UTF8.self) == "PN,TTL\r\n")
                } else {
                    let rows = try JSONSerialization.jsonObject(with: body) as! [[String: Any]]
                    #expect(rows.count == expected)
                    #expect(!rows.contains { $0["PN"] as? String == "US99999999B1" })
                }
            }
        }
    }

    @Test func aTaskThatCannotBeWrittenFailsInsteadOfStayingPending() async throws {
        let server = try TestServer(start: false)
        // A file where the exports folder should be makes every write fail.
        try FileManager.default.removeItem(atPath: server.tasks.exportsDirectory)
        FileManager.default.createFile(atPath: server.tasks.exportsDirectory, contents: Data("x".utf8))
        try await server.run { client in
            let created = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 5}"#)
            try server.tasks.start()
            server.tasks.waitUntilIdle()
            let status = try await client.get("/patent-search/task?task_id=\(created.data["task_id"] as! String)")
            #expect(status.data["export_status"] as? String == "FAIL")
            #expect(status.data["url"] == nil)
        }
    }
}

/// The service's own failures: 68300005 when the index cannot be read, 68300008 when a
/// task cannot be stored — never a crash, never a task that was not stored.
@Suite struct ServiceFailureTests {
    @Test func anUnreadableIndexIsASearchFailure() async throws {
        let data = try PatentTestSupport.temporaryDirectory("http-broken-index")
        let store = try PatentStore(directory: data)
        let index = (data as NSString).appendingPathComponent("index")
        try FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
        try Data("{ not a manifest".utf8).write(to: URL(fileURLWithPath: index + "/manifest.json"))
        try await TestServer(store: store, search: SearchService(indexDirectory: index)).run { client in
            let answer = try await client.export(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 1}"#)
            #expect(answer.code == 68300005)
            #expect(answer.message.hasPrefix("search failure: the index cannot be opened"))
            let count = try await client.post("/search/patent/query-search-count/v2", #"{"query_text": "a"}"#)
            #expect(count.code == 68300005)
        }
    }

    /// SQLite's own file damaged (the shared database's refusals are `ExportClaimTests`').
    @Test(.enabled(if: TestBackend.isSQLite)) func aTaskThatCannotBeStoredIsAServiceError() async throws {
        let server = try TestServer()
        let repository = try #require(server.tasks.tasks as? SQLiteTaskRepository)
        try await repository.pool.write { db in try db.execute(sql: "DROP TABLE export_task_result") }
        try await server.run { client in
            let answer = try await client.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 1}"#)
            #expect(answer.code == 68300008)
            #expect(answer.message == "the task could not be stored, please try again later")
            #expect(answer.status == 200)
        }
    }
}
