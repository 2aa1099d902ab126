import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(FoundationXML)
import FoundationXML
#endif
import PatentStore
import PatentTestSupport
import Testing

/// A client made with `patents clients create` and `keys create` on a data folder.
func makeClientKey(data: String) throws -> String {
    let created = try JSONSerialization.jsonObject(with: Data(try output(builtPatentsBinary, [
        "clients", "create", "--data", data, "--name", "e2e", "--balance", "1000", "--rate-per-second", "1000", "--json",
    ]).utf8)) as? [String: String]
    let id = try #require(created?["client_id"])
    let key = try JSONSerialization.jsonObject(with: Data(try output(builtPatentsBinary, [
        "clients", "keys", "create", id, "--data", data, "--json",
    ]).utf8)) as? [String: String]
    return try #require(key?["api_key"])
}

/// The real binary on a real port, driven by a real HTTP client (URLSession) that
/// authenticates with `key`.
final class RunningServer {
    let process = Process()
    let base: String
    let key: String?
    /// What the server printed before it was ready: the address, and on a first run the
    /// demo client's banner.
    let banner: String

    /// `environment` is added to the test's own (the binary's test hooks); `arguments` to `serve`'s.
    init(data: String, key: String?, environment: [String: String] = [:], arguments: [String] = []) throws {
        self.key = key
        process.executableURL = URL(fileURLWithPath: builtPatentsBinary)
        process.arguments = ["serve", "--data", data, "--port", "0", "--log-level", "warning"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = Data()
        // The address line, and the banner up to its last line when there is one.
        func complete(_ text: String) -> Bool {
            text.contains("\n") && (!text.contains("First run") || text.contains("Manage clients"))
        }
        while !complete(String(decoding: printed, as: UTF8.self)) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw E2EError("the server exited before listening") }
            printed.append(chunk)
        }
        banner = String(decoding: printed, as: UTF8.self)
        guard let range = banner.range(of: #"http://[0-9.]+:\d+"#, options: .regularExpression) else {
            throw E2EError("no address in \(banner)")
        }
        base = String(banner[range])
    }

    /// Sends `signal` and waits for the process to end.
    func stop(with signal: Int32) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// `key`: another key than the server's (a first run's demo key, read from its banner).
    func call(_ method: String, _ path: String, _ body: String? = nil, key: String? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let key = key ?? self.key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Polls a task until it leaves PENDING; returns its data.
    func finished(_ id: String, timeout: TimeInterval = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let data = try await call("GET", "/patent-search/task?task_id=\(id)")["data"] as? [String: Any] ?? [:]
            if data["export_status"] as? String != "PENDING" { return data }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EError("task \(id) still PENDING after \(timeout) s")
    }

    func download(_ url: String) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw E2EError("download answered \(response)") }
        return data
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A program's standard output.
func output(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// RFC 4180 rows of a CSV file (BOM removed): an independent reader for the tests.
func csvRows(_ data: Data) -> [[String]] {
    var text = String(decoding: data, as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    var rows: [[String]] = []
    var row: [String] = []
    var cell = ""
    var quoted = false
    var characters = Array(text.unicodeScalars)[...]
    while let c = characters.popFirst() {
        if quoted {
            if c == "\"" {
                if characters.first == "\"" { cell.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
            } else {
                cell.unicodeScalars.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            row.append(cell); cell = ""
        } else if c == "\r" && characters.first == "\n" {
            characters.removeFirst()
            row.append(cell); rows.append(row); row = []; cell = ""
        } else {
            cell.unicodeScalars.append(c)
        }
    }
    return rows
}

@Suite(.serialized) struct EndToEndTests {
    static let fields = ["PN", "TTL", "APD", "AN", "IPC"]

    @Test func exportsOfEveryImplementedTypeHoldTheExpectedPatentsInOrder() async throws {
        let data = try temporaryDirectory("e2e")
        try runPatents(["import", "--data", data, fixtures])
        let server = try RunningServer(data: data, key: try makeClientKey(data: data))
        defer { server.stop() }
        let store = try PatentStore(directory: data)
        let query = #"{"query_text": "method OR TTL:device", "limit": 25, "offset": 2}"#
        let preview = try await server.call("POST", "/search/patent/query-search-patent/v2", query)
        let expected = ((preview["data"] as? [String: Any])?["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
        #expect(expected.count == 25)

        for type in ["csv", "json", "xml"] {
            let body = #"{"query_text": "method OR TTL:device", "fields": "\#(Self.fields.joined(separator: ","))", "export_type": "\#(type)", "rows": 25, "offset": 2}"#
            let created = try await server.call("POST", "/patent-search/export/V2", body)
            #expect(created["status"] as? Bool == true, "\(created)")
            let id = try #require((created["data"] as? [String: Any])?["task_id"] as? String)
            #expect((created["data"] as? [String: Any])?["count"] as? Int == 25)
            let task = try await server.finished(id)
            #expect(task["export_status"] as? String == "SUCCESS")
            let file = try await server.download(try #require(task["url"] as? String))

            var rows: [[String: [String]]] = []
            switch type {
            case "csv":
                let table = csvRows(file)
                #expect(table.first == Self.fields)
                rows = table.dropFirst().map { cells in
                    Dictionary(uniqueKeysWithValues: zip(Self.fields, cells.map { $0.isEmpty ? [] : $0.components(separatedBy: " | ") }))
                }
            case "json":
                let objects = try #require(try JSONSerialization.jsonObject(with: file) as? [[String: Any]])
                rows = objects.map { object in
                    object.mapValues { value in (value as? [String]) ?? ((value as? String).map { [$0] } ?? []) }
                }
            default:
                let document = try XMLDocument(data: file)
                rows = try document.nodes(forXPath: "/patents/patent").map { patent in
                    var row: [String: [String]] = [:]
                    for field in Self.fields {
                        let element = try patent.nodes(forXPath: field).first as? XMLElement
                        let values = element?.elements(forName: "value").compactMap(\.stringValue) ?? []
                        row[field] = values.isEmpty ? (element?.stringValue.flatMap { $0.isEmpty ? nil : [$0] } ?? []) : values
                    }
                    return row
                }
            }
            #expect(rows.map { $0["PN"]?.first ?? "" } == expected, "\(type)")
            for row in rows {
                let patent = try #require(try store.patent(row["PN"]?.first ?? ""))
                #expect(row["APD"] == (patent.application?.date.map { [$0.iso] } ?? []), "\(type)")
                #expect(row["IPC"] == patent.ipc, "\(type)")
                let title = (patent.titles.first { $0.language == "en" } ?? patent.titles.first)?.text
                #expect(row["TTL"] == (title.map { [$0] } ?? []), "\(type)")
            }
        }
    }

    @Test func zipAndWorkbookExportsHoldThePatentsInOrder() async throws {
        let data = try temporaryDirectory("e2e-archives")
        try runPatents(["import", "--data", data, fixtures])
        let server = try RunningServer(data: data, key: try makeClientKey(data: data))
        defer { server.stop() }
        let query = "CLMS:(method OR device)"
        let preview = try await server.call("POST", "/search/patent/query-search-patent/v2", #"{"query_text": "\#(query)", "limit": 6}"#)
        let expected = ((preview["data"] as? [String: Any])?["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
        #expect(expected.count == 6)
        for (type, fields) in [("full_text", "PN,ABST,CLMS,DESC"), ("pdf", "PN,TTL,APD,ABST,CLMS"), ("xls", "PN,TTL,APD,IPC")] {
            let created = try await server.call("POST", "/patent-search/export/V2",
                                                #"{"query_text": "\#(query)", "fields": "\#(fields)", "export_type": "\#(type)", "rows": 6}"#)
            let id = try #require((created["data"] as? [String: Any])?["task_id"] as? String, "\(created)")
            let task = try await server.finished(id)
            #expect(task["export_status"] as? String == "SUCCESS", "\(type)")
            let url = try #require(task["url"] as? String)
            #expect(url.contains(".XLSX?") == (type == "xls") && url.contains(".ZIP?") == (type != "xls"))
            let file = data + "/download-\(type)"
            try await server.download(url).write(to: URL(fileURLWithPath: file))
            if type == "xls" {
                let script = "import sys, openpyxl; print('\\n'.join(r[0].value for r in openpyxl.load_workbook(sys.argv[1]).active.iter_rows(min_row=2)))"
                try FileManager.default.moveItem(atPath: file, toPath: file + ".xlsx")
                let column = try output(testPython, ["-c", script, file + ".xlsx"])
                #expect(column.split(separator: "\n").map(String.init) == expected)
            } else {
                let names = try output("/usr/bin/unzip", ["-Z1", file]).split(separator: "\n").map(String.init)
                let ext = type == "pdf" ? ".pdf" : ".xml"
                #expect(names == expected.map { $0 + ext }, "\(type)")
            }
        }
    }

    /// SIGKILL is a crash; SIGTERM a graceful shutdown, which must not wait for the export
    /// to finish nor leave it stuck: either way the restarted server writes it completely.
    /// The first server writes pages of 4 rows half a second apart (the binary's test
    /// hooks), so the export is surely mid-way when the signal comes.
    @Test(arguments: [SIGKILL, SIGTERM])
    func anExportInterruptedMidWayIsWrittenCompletelyAfterARestart(signal: Int32) async throws {
        let data = try temporaryDirectory("e2e-crash")
        try runPatents(["import", "--data", data, fixtures])
        let key = try makeClientKey(data: data)
        let query = "PBD:[19000101 TO 20991231]"
        let body = #"{"query_text": "\#(query)", "fields": "PN,TTL,ABST,AN,IN,IPC,CPC", "export_type": "json", "rows": 1000}"#

        var server = try RunningServer(data: data, key: key, environment: ["PATENTS_TEST_BATCH": "4", "PATENTS_TEST_PAUSE_MS": "500"])
        let created = try await server.call("POST", "/patent-search/export/V2", body)
        let id = try #require((created["data"] as? [String: Any])?["task_id"] as? String)
        let count = try #require((created["data"] as? [String: Any])?["count"] as? Int)
        #expect(count > 40)
        var written = 0
        while written == 0 {
            let status = try await server.call("GET", "/patent-search/task?task_id=\(id)")["data"] as? [String: Any]
            written = status?["rows_written"] as? Int ?? 0
        }
        let stopping = Date()
        server.stop(with: signal)
        #expect(Date().timeIntervalSince(stopping) < 5, "the stop does not wait for the export")

        server = try RunningServer(data: data, key: key)
        defer { server.stop() }
        let task = try await server.finished(id)
        #expect(task["export_status"] as? String == "SUCCESS")
        #expect(task["rows_written"] as? Int == count)
        let file = try await server.download(try #require(task["url"] as? String))
        let rows = try #require(try JSONSerialization.jsonObject(with: file) as? [[String: Any]])
        #expect(rows.count == count)
        // Same order as the engine's ranking of the query.
        let page = try await server.call("POST", "/search/patent/query-search-patent/v2",
                                         #"{"query_text": "\#(query)", "limit": 1000, "offset": 0}"#)
        let expected = ((page["data"] as? [String: Any])?["results"] as? [[String: Any]] ?? []).compactMap { $0["pn"] as? String }
        #expect(rows.compactMap { $0["PN"] as? String } == expected)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: data + "/exports/\(id)").filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
    }
}
