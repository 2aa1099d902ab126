import ArgumentParser
import Foundation
import Logging
import PatentHTTP

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the PatSnap-compatible API (export tasks, task status, downloads, P001/P002)."
    )

    @OptionGroup var options: DataOptions

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed at start).") var port = 8080
    @Option(help: "Scheme and host of download links, e.g. https://patents.example.org (default: the request's Host).")
    var publicURL: String?
    @Option(help: "Threads writing export files.") var workers = 2
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = options.data
        configuration.publicURL = publicURL
        configuration.workers = workers
        try await PatentServer.run(configuration, logger: Logger(label: "patents")) { port in
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
    }
}
