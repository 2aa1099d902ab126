import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PatentTestSupport
import Testing
@testable import PatentHTTP
@testable import PatentTasks

/// The hostile-request battery (API.md "Changes": limits on every number): every
/// parameter of P055 and P002 given values far out of range or of the wrong kind, bodies
/// built to hurt the parser, and queries built to hurt the query parser. Each answer is
/// a precise refusal naming the parameter (or an acceptance where the value is fine), and
/// the server keeps answering afterwards.
@Suite struct HostileRequestTests {
    /// Values the battery sends, as JSON text.
    static let hostile: [String] = [
        "9223372036854775807", "-9223372036854775808", "-1", "1e400", "-1e400",
        String(repeating: "9", count: 400), "\"" + String(repeating: "9", count: 400) + "\"",
        "null", "[]", "{}", "\"abc\"", "\"\"", "true", "0.5",
    ]

    /// A parameter, the body it is put into, and the hostile values it accepts.
    struct Parameter: Sendable, CustomStringConvertible {
        let name: String
        let path: String
        let base: [String: String]
        let accepted: Set<String>
        var description: String { "\(path) \(name)" }
    }

    static let exportBase = ["query_text": #""method""#, "fields": #""PN,TTL""#, "export_type": #""csv""#, "rows": "10"]
    static let pageBase = ["query_text": #""method""#]
    static let unset: Set<String> = ["null", "\"\""]

    static let parameters: [Parameter] = {
        let export = "/patent-search/export/V2", page = "/search/patent/query-search-patent/v2"
        var list: [Parameter] = [
            Parameter(name: "query_text", path: export, base: exportBase, accepted: ["\"abc\"", "\"" + String(repeating: "9", count: 400) + "\""]),
            Parameter(name: "fields", path: export, base: exportBase, accepted: []),
            Parameter(name: "export_type", path: export, base: exportBase, accepted: []),
            Parameter(name: "rows", path: export, base: exportBase, accepted: []),
            Parameter(name: "collapse_order_authority", path: export, base: exportBase, accepted: unset.union(["[]"])),
            Parameter(name: "limit", path: page, base: pageBase, accepted: unset),
            Parameter(name: "offset", path: page, base: pageBase, accepted: unset),
            Parameter(name: "sort", path: page, base: pageBase, accepted: unset.union(["[]"])),
        ]
        for name in ["offset", "stemming", "apdt_from", "apdt_to", "pbdt_from", "pbdt_to", "collapse_type", "collapse_by",
                     "collapse_order", "lang", "trans_lang"] {
            list.append(Parameter(name: name, path: export, base: exportBase, accepted: unset))
        }
        return list
    }()

    static func body(_ values: [String: String]) -> String {
        "{" + values.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    @Test(arguments: parameters)
    func everyParameterRefusesHostileValuesNamingItself(_ parameter: Parameter) async throws {
        try await TestServer().run { client in
            for value in Self.hostile {
                var values = parameter.base
                values[parameter.name] = value
                let answer = try await client.post(parameter.path, Self.body(values))
                if parameter.accepted.contains(value) {
                    #expect(answer.ok, "\(parameter) = \(value.prefix(20)) → \(answer.message)")
                } else {
                    #expect(answer.code == 68300004, "\(parameter) = \(value.prefix(20)) → \(answer.code) \(answer.message)")
                    #expect(answer.message.hasPrefix(parameter.name), "\(parameter) = \(value.prefix(20)) → \(answer.message)")
                    #expect(answer.message.count < 300, "\(answer.message)")
                }
            }
            #expect(try await client.get("/health").ok)
        }
    }

    @Test func farOutNumbersAreQuotedNotRounded() async throws {
        try await TestServer().run { client in
            let huge = try await client.export(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 1e400}"#)
            #expect(huge.message == "rows must be an integer, not 1e400")
            let digits = String(repeating: "9", count: 400)
            let long = try await client.export(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": \#(digits)}"#)
            #expect(long.message == "rows must be an integer, not \(String(repeating: "9", count: 40))… (400 characters)")
            let minimum = try await client.export(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 10, "offset": -9223372036854775808}"#)
            #expect(minimum.message == "offset must be 0 or more, not -9223372036854775808")
            let whole = try await client.export(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 1e1}"#)
            #expect(whole.ok, "1e1 is the whole number 10: \(whole.message)")
        }
    }

    static let bodies: [(name: String, body: [UInt8], code: Int, message: String)] = [
        ("100,000 nested brackets", Array(String(repeating: "[", count: 100_000).utf8), 68300007,
         "request body nests arrays and objects deeper than 32 levels (at byte 32)"),
        ("100,000 nested objects", Array(String(repeating: #"{"a":"#, count: 100_000).utf8), 68300007,
         "nests arrays and objects deeper than 32 levels"),
        ("invalid UTF-8 in a string", Array(#"{"query_text": "caf"#.utf8) + [0xC3, 0x28] + Array(#"", "rows": 1}"#.utf8), 68300007,
         "request body is not valid UTF-8: the string at byte 15 holds invalid bytes"),
        ("a lone surrogate escape", Array(#"{"query_text": "\udc00"}"#.utf8), 68300007, "request body is not valid JSON: a lone low surrogate"),
        ("duplicate keys", Array(#"{"query_text": "a", "fields": "PN", "export_type": "csv", "rows": 1, "rows": 100000}"#.utf8), 68300004,
         "the request body gives 'rows' more than once"),
        ("trailing garbage", Array(#"{"query_text": "a"} x"#.utf8), 68300007, "request body is not valid JSON: unexpected 'x' after the document at byte 20"),
        ("a raw control character", Array("{\"query_text\": \"a\u{01}\"}".utf8), 68300007, "a control character must be escaped"),
        ("a leading zero", Array(#"{"rows": 01}"#.utf8), 68300007, "a number cannot start with 0"),
    ]

    @Test func hostileBodiesAreRefusedPrecisely() async throws {
        try await TestServer().run { client in
            for (name, body, code, message) in Self.bodies {
                let answer = try await client.execute(uri: "/patent-search/export/V2", method: .post,
                                                      headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)) { Answer($0) }
                #expect(answer.code == code, "\(name): \(answer.code) \(answer.message)")
                #expect(answer.message.contains(message), "\(name): \(answer.message)")
            }
            #expect(try await client.get("/health").ok)
        }
    }

    @Test func aByteOrderMarkIsAllowed() async throws {
        try await TestServer().run { client in
            let answer = try await client.export("\u{FEFF}{\"query_text\": \"method\", \"fields\": \"PN\", \"export_type\": \"csv\", \"rows\": 1}")
            #expect(answer.ok, "\(answer.message)")
        }
    }

    @Test func aBodyOverTheLimitIsRefusedWith413() async throws {
        try await TestServer().run { client in
            let large = ByteBuffer(repeating: UInt8(ascii: " "), count: 20 << 20)
            let answer = try await client.execute(uri: "/patent-search/export/V2", method: .post,
                                                  headers: [.contentType: "application/json"], body: large) { Answer($0) }
            #expect(answer.status == 413)
            #expect(answer.code == 68300007)
            #expect(answer.message == "the request body is larger than 1048576 bytes (1 MiB)")
            // Just under the limit parses (and is refused for what it holds, not its size).
            var padded = ByteBuffer(string: #"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 1}"#)
            padded.writeRepeatingByte(UInt8(ascii: " "), count: (1 << 20) - padded.readableBytes)
            let fits = try await client.execute(uri: "/patent-search/export/V2", method: .post,
                                                headers: [.contentType: "application/json"], body: padded) { Answer($0) }
            #expect(fits.ok, "\(fits.message)")
        }
    }

    @Test func hostileQueriesAreRefusedOrAnsweredNeverFatal() async throws {
        try await TestServer().run { client in
            func count(_ query: String) async throws -> Answer {
                let text = String(data: try JSONEncoder().encode(["query_text": query]), encoding: .utf8)!
                return try await client.post("/search/patent/query-search-count/v2", text)
            }
            // As deep as 2,000 characters allow: parsed and evaluated on the request pool's threads.
            let nested = try await count(String(repeating: "(", count: 996) + "method" + String(repeating: ")", count: 996))
            #expect(nested.ok, "\(nested.message)")
            #expect(nested.data["total_search_result_count"] as? Int ?? 0 > 0)
            let operators = try await count(Array(repeating: "a", count: 2_001).joined(separator: " $W99 "))
            #expect(operators.code == 68300004)
            #expect(operators.message == "query_text: query longer than 2000 characters at 2001")
            // As many $W99 as 2,000 characters hold: answered (the chain is evaluated, not refused).
            let chain = try await count(Array(repeating: "method", count: 150).joined(separator: " $W99 "))
            #expect(chain.ok, "\(chain.message)")
            #expect(try await client.get("/health").ok)
        }
    }

    @Test func commandLineNumbersNeverTrap() throws {
        let data = FixtureCorpus.shared.data
        let far = try output(builtPatentsBinary, ["search", "method", "--data", data, "--rows", "10", "--offset", "9223372036854775807"])
        #expect(far.hasPrefix("total "), "\(far)")
        #expect(far.split(separator: "\n").count == 1, "no hits that far")
        let all = try output(builtPatentsBinary, ["search", "method", "--data", data, "--rows", "9223372036854775807", "--json"])
        #expect(all.hasPrefix("{\"hits\":"), "\(all.prefix(80))")
        let export = Process()
        export.executableURL = URL(fileURLWithPath: builtPatentsBinary)
        export.arguments = ["serve", "--data", data, "--port", "99999999999"]
        export.standardOutput = FileHandle.nullDevice
        export.standardError = FileHandle.nullDevice
        try export.run()
        export.waitUntilExit()
        #expect(export.terminationReason == .exit && export.terminationStatus != 0, "a port beyond 65535 is refused")
    }

    @Test func signedLinkAndRangeNumbersNeverTrap() async throws {
        try await TestServer().run { client in
            for expires in ["9223372036854775807", "-9223372036854775808", String(repeating: "9", count: 400), "1e400", "-1"] {
                let answer = try await client.get("/patent-search/download/\(String(repeating: "a", count: 32))/x.csv?expires=\(expires)&signature=00")
                #expect(answer.status == 403, "expires=\(expires)")
            }
        }
        #expect(ByteRange.parse("bytes=-9223372036854775807", size: 10) == .part(0...9))
        #expect(ByteRange.parse("bytes=9223372036854775806-9223372036854775807", size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-" + String(repeating: "9", count: 400), size: 10) == .whole)
        #expect(ByteRange.parse("bytes=-" + String(repeating: "9", count: 400), size: 10) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=5-9223372036854775807", size: 10) == .part(5...9))
    }
}
