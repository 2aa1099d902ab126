import ArgumentParser
import Foundation
import Logging
import PatentStore
import PatentTasks

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a query's patents to a file, through the same task machinery and rules as the API."
    )

    @OptionGroup var options: DataOptions

    @Argument(help: "The query text.") var query: String
    @Option(help: "Comma-separated export field codes.") var fields = "PN,TTL,APD,PBD,AN"
    @Option(help: "csv, json or xml.") var type = "csv"
    @Option(help: "Rows to export.") var rows = 100
    @Option(help: "Rows to skip.") var offset = 0
    @Option(help: "Output file.") var out: String

    @Flag(help: "Match every token with the same stem (English).") var stemming = false
    @Option(help: "Application date from (yyyyMMdd or *).") var apdtFrom: String?
    @Option(help: "Application date to (yyyyMMdd or *).") var apdtTo: String?
    @Option(help: "Publication date from (yyyyMMdd or *).") var pbdtFrom: String?
    @Option(help: "Publication date to (yyyyMMdd or *).") var pbdtTo: String?
    @Option(help: "Collapse: APNO, DOCDB, INPADOC or EXTEND.") var collapse: String?
    @Option(help: "Representative: APD, PBD, AUTHORITY or SCORE.") var collapseBy: String?
    @Option(help: "OLDEST or LATEST.") var collapseOrder: String?
    @Option(help: "Offices in order of preference for AUTHORITY.") var collapseAuthority: String?
    @Option(help: "Text language: cn en jp de fr kr.") var lang = "en"
    @Option(help: "Translation language: cn en jp.") var transLang = "en"

    func run() throws {
        var body: [String: JSONValue] = [
            "query_text": .string(query), "fields": .string(fields), "export_type": .string(type), "rows": .integer(rows),
            "offset": .integer(offset), "stemming": .integer(stemming ? 1 : 0), "lang": .string(lang), "trans_lang": .string(transLang),
        ]
        let optional: [(String, String?)] = [
            ("apdt_from", apdtFrom), ("apdt_to", apdtTo), ("pbdt_from", pbdtFrom), ("pbdt_to", pbdtTo),
            ("collapse_type", collapse), ("collapse_by", collapseBy), ("collapse_order", collapseOrder),
            ("collapse_order_authority", collapseAuthority),
        ]
        for (name, value) in optional { if let value { body[name] = .string(value) } }
        let store = try PatentStore(directory: options.data)
        var logger = Logger(label: "patents.export")
        logger.logLevel = .warning
        let service = try ExportTaskService(dataDirectory: options.data, store: store,
                                            search: SearchService(indexDirectory: indexDirectory(options.data)), workers: 1,
                                            logger: logger)
        try service.start()
        let created = try reportingServiceErrors { () throws(ServiceError) in
            try service.create(try ExportSpecification(body: .object(body)), owner: nil)
        }
        service.waitUntilIdle()
        service.stop()
        let task = try reportingServiceErrors { () throws(ServiceError) in try service.task(created.taskID, owner: nil) }
        guard task.status == .success, let file = service.file(of: task) else {
            FileHandle.standardError.write(Data("error: export task \(task.id) failed\n".utf8))
            throw ExitCode(1)
        }
        if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
        try FileManager.default.copyItem(atPath: file, toPath: out)
        print("\(task.count) of \(created.total) patents written to \(out) (task \(task.id))")
    }
}
