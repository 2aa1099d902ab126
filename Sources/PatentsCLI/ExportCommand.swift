import ArgumentParser
import Foundation
import Logging
import PatentAccounts
import PatentStore
import PatentTasks

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a query's patents to a file, through the same task machinery and rules as the API."
    )

    @OptionGroup var options: DataOptions
    @OptionGroup var feed: FeedOptions
    @OptionGroup var writer: WriterOptions

    @OptionGroup var search: QueryOptions
    @Option(help: "Comma-separated export field codes.") var fields = "PN,TTL,APD,PBD,AN"
    @Option(help: "csv, json, xml, xls, pdf or full_text.") var type = "csv"
    @Option(help: "Rows to export.") var rows = 100
    @Option(help: "Rows to skip.") var offset = 0
    @Option(help: "Output file.") var out: String

    @Option(help: "Text language: cn en jp de fr kr.") var lang = "en"
    @Option(help: "Translation language: cn en jp.") var transLang = "en"

    func run() throws {
        try feed.follow(options, writer: writer, index: true)
        var body = search.body
        body["fields"] = .string(fields)
        body["export_type"] = .string(type)
        body["rows"] = .integer(rows)
        body["offset"] = .integer(offset)
        body["lang"] = .string(lang)
        body["trans_lang"] = .string(transLang)
        let store = try options.openStore()
        var logger = Logger(label: "patents.export")
        logger.logLevel = .warning
        let service = try ExportTaskService(dataDirectory: options.data, store: store,
                                            search: SearchService(indexDirectory: indexDirectory(options.data), verifyBeforeSearching: true), workers: 1,
                                            logger: logger)
        try service.start()
        let created = try reportingServiceErrors { () throws(ServiceError) in
            try service.create(try ExportSpecification(body: .object(body)), for: nil)
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
