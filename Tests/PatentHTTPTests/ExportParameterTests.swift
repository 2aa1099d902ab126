import Foundation
import HummingbirdTesting
import PatentIndex
import PatentIngest
import PatentModel
import PatentTasks
import PatentTestSupport
import Testing
@testable import PatentHTTP

/// API.md's parameter table, one violation at a time: each is 68300004 (or 68300007)
/// with a message naming the parameter.
@Suite struct ExportParameterTests {
    static let valid = #""query_text": "method", "fields": "PN,TTL", "export_type": "csv", "rows": 10"#

    static let violations: [(String, Int, String)] = [
        // Missing required parameters.
        (#"{"fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text is required"),
        (#"{"query_text": "a", "export_type": "csv", "rows": 1}"#, 68300004, "fields is required"),
        (#"{"query_text": "a", "fields": "PN", "rows": 1}"#, 68300004, "export_type is required"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "csv"}"#, 68300004, "rows is required"),
        (#"{"query_text": null, "fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text is required"),
        // Wrong types.
        (#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": "10"}"#, 68300004, "rows must be an integer, not a string"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 1.5}"#, 68300004, "rows must be an integer, not 1.5"),
        (#"{"query_text": 7, "fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text must be a string, not a number"),
        (#"{"query_text": "a", "fields": ["PN"], "export_type": "csv", "rows": 1}"#, 68300004, "fields must be a string, not an array"),
        (#"{\#(valid), "offset": "5"}"#, 68300004, "offset must be an integer"),
        (#"{\#(valid), "stemming": true}"#, 68300004, "stemming must be an integer, not a boolean"),
        // Query text.
        (#"{"query_text": "  ", "fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text must not be empty"),
        (#"{"query_text": "TTL:(car", "fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text: unbalanced '(' opened at 5"),
        (#"{"query_text": "note: x", "fields": "PN", "export_type": "csv", "rows": 1}"#, 68300004, "query_text: unknown field note at 1"),
        // Fields.
        (#"{"query_text": "a", "fields": "PN,XYZ", "export_type": "csv", "rows": 1}"#, 68300004, "fields: unknown export field 'XYZ'"),
        (#"{"query_text": "a", "fields": "PN,,TTL", "export_type": "csv", "rows": 1}"#, 68300004, "fields holds an empty field code"),
        (#"{"query_text": "a", "fields": "PN,DESC", "export_type": "csv", "rows": 1}"#, 68300004, "fields: DESC cannot be exported as csv (only full_text)"),
        (#"{"query_text": "a", "fields": "PN,CLMS", "export_type": "json", "rows": 1}"#, 68300004, "fields: CLMS cannot be exported as json (only pdf, full_text)"),
        (#"{"query_text": "a", "fields": "PN,TTL", "export_type": "full_text", "rows": 1}"#, 68300004, "fields: TTL cannot be exported as full_text"),
        // Export type and row caps.
        (#"{"query_text": "a", "fields": "PN", "export_type": "docx", "rows": 1}"#, 68300004, "export_type must be one of json, csv, xls, xml, pdf, full_text, not 'docx'"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 0}"#, 68300004, "rows must be between 1 and 100000 for export_type csv, not 0"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "json", "rows": 100001}"#, 68300004, "rows must be between 1 and 100000"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "pdf", "rows": 1001}"#, 68300004, "rows must be between 1 and 1000 for export_type pdf, not 1001"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "full_text", "rows": 1001}"#, 68300004, "rows must be between 1 and 1000 for export_type full_text"),
        (#"{\#(valid), "offset": -1}"#, 68300004, "offset must be 0 or more, not -1"),
        (#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 100000, "offset": 1}"#, 68300004, "offset + rows must be at most 100000, not 100001"),
        // An offset near Int64.max once overflowed `offset + rows` and stopped the server.
        (#"{\#(valid), "offset": 9223372036854775807}"#, 68300004, "offset + rows must be at most 100000, not 9223372036854775807 + 10"),
        (#"{\#(valid), "offset": 9223372036854775797}"#, 68300004, "offset + rows must be at most 100000, not 9223372036854775807"),
        // Dates.
        (#"{\#(valid), "apdt_from": "2020-01-01"}"#, 68300004, "apdt_from must be a date 'yyyyMMdd' or '*', not '2020-01-01'"),
        (#"{\#(valid), "pbdt_to": "20201301"}"#, 68300004, "pbdt_to must be a date 'yyyyMMdd' or '*', not '20201301'"),
        (#"{\#(valid), "apdt_to": true}"#, 68300004, "apdt_to must be a date 'yyyyMMdd' or '*', not a boolean"),
        (#"{\#(valid), "apdt_from": "20200102", "apdt_to": "20200101"}"#, 68300004, "apdt_from 20200102 is after apdt_to 20200101"),
        (#"{\#(valid), "pbdt_from": 20200102, "pbdt_to": "20200101"}"#, 68300004, "pbdt_from 20200102 is after pbdt_to 20200101"),
        // Collapse.
        (#"{\#(valid), "collapse_type": "FAMILY"}"#, 68300004, "collapse_type must be one of ALL, APNO, DOCDB, INPADOC, EXTEND, not 'FAMILY'"),
        (#"{\#(valid), "collapse_type": "DOCDB", "collapse_by": "DATE"}"#, 68300004, "collapse_by must be one of APD, PBD, AUTHORITY, SCORE"),
        (#"{\#(valid), "collapse_type": "DOCDB", "collapse_order": "NEWEST"}"#, 68300004, "collapse_order must be one of OLDEST, LATEST"),
        (#"{\#(valid), "collapse_type": "DOCDB", "collapse_order_authority": ["CN", "USA"]}"#, 68300004, "collapse_order_authority[1] must be a two-letter office code, not 'USA'"),
        (#"{\#(valid), "collapse_order_authority": [1]}"#, 68300004, "collapse_order_authority[0] must be a string, not a number"),
        // Languages and stemming.
        (#"{\#(valid), "lang": "es"}"#, 68300004, "lang must be one of cn, en, jp, de, fr, kr, not 'es'"),
        (#"{\#(valid), "trans_lang": "de"}"#, 68300004, "trans_lang must be one of cn, en, jp, not 'de'"),
        (#"{\#(valid), "stemming": 2}"#, 68300004, "stemming must be 0 or 1, not 2"),
        // Bodies.
        (#"[1, 2]"#, 68300004, "the request body must be a JSON object, not an array"),
        (#"{"query_text": "a", "#, 68300007, "request body is not valid JSON"),
        ("", 68300007, "request body is not valid JSON"),
    ]

    @Test(arguments: violations.indices)
    func violationIsRefusedNamingTheParameter(_ index: Int) async throws {
        let (body, code, message) = Self.violations[index]
        try await TestServer().run { client in
            let answer = try await client.export(body)
            #expect(answer.status == 200)
            #expect(answer.ok == false)
            #expect(answer.code == code, "\(body)")
            #expect(answer.message.contains(message), "\(body) → \(answer.message)")
            #expect(answer.json["error_code"] != nil && answer.json["status"] != nil)
        }
    }

    @Test func aContentTypeOtherThanJSONIs68300007() async throws {
        try await TestServer().run { client in
            let answer = try await client.post("/patent-search/export/V2", "{\(Self.valid)}", contentType: "application/x-www-form-urlencoded")
            #expect(answer.code == 68300007)
            #expect(answer.message.contains("Content-Type must be application/json"))
        }
    }

    @Test func validVariantsAreAccepted() async throws {
        let bodies = [
            #"{\#(Self.valid), "apdt_from": "*", "apdt_to": "20251231", "pbdt_from": 19900101}"#,
            #"{\#(Self.valid), "collapse_type": null, "collapse_by": "pbd", "collapse_order": "oldest"}"#,
            #"{\#(Self.valid), "collapse_type": "EXTEND", "collapse_by": "AUTHORITY", "collapse_order_authority": "ep,us"}"#,
            #"{\#(Self.valid), "lang": "cn", "trans_lang": "jp", "stemming": 1, "offset": 0, "unknown_key": true}"#,
            #"{"query_text": "method", "fields": "PN, ABST ,PN", "export_type": "JSON", "rows": 100000}"#,
        ]
        try await TestServer().run { client in
            for body in bodies {
                let answer = try await client.export(body)
                #expect(answer.ok, "\(body) → \(answer.message)")
                #expect(answer.code == 0)
                #expect((answer.data["task_id"] as? String)?.count == 32)
            }
        }
    }

    @Test func bothCreatePathsAnswer() async throws {
        try await TestServer().run { client in
            for path in ExportRoutes.createPaths {
                let answer = try await client.post(path, "{\(Self.valid)}")
                #expect(answer.ok, "\(path)")
            }
        }
    }
}

/// API.md: an export's `total` is the matching patents after collapse, capped at 100,000;
/// `count` is what the window takes of it.
@Suite struct ExportTotalCapTests {
    @Test func theTotalIsCappedAt100000() async throws {
        let directory = try temporaryDirectory("cap-index")
        let writer = try IndexWriter(directory: directory)
        for serial in 1...100_001 {
            var patent = Patent(publication: PublicationNumber(office: "US", number: String(serial), kind: "A1")!)
            patent.titles = [LocalizedText(language: "en", text: "Widget")]
            writer.update(IndexDocument(patent))
        }
        try writer.commit()
        let server = try TestServer(search: SearchService(indexDirectory: directory), start: false)
        try await server.run { client in
            let first = try await client.export(#"{"query_text": "TTL:widget", "fields": "PN", "export_type": "csv", "rows": 10}"#)
            #expect(first.ok && first.data["count"] as? Int == 10 && first.data["total"] as? Int == 100_000)
            let last = try await client.export(
                #"{"query_text": "TTL:widget", "fields": "PN", "export_type": "csv", "rows": 5, "offset": 99995}"#)
            #expect(last.data["count"] as? Int == 5 && last.data["total"] as? Int == 100_000)
        }
    }
}
