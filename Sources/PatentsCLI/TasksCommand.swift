import ArgumentParser
import Foundation
import PatentAccounts
import PatentStore
import PatentTasks

/// `patents tasks revoke ID`: the operator ends an export task's download link at once
/// (its file is deleted; the link answers 403 from then on).
struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Export tasks: revoke a task's download link.", subcommands: [Revoke.self])

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a task's download link now and delete its file.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Task id.") var id: String

        func run() throws {
            let store = try options.data.openStore()
            let search = SearchService(indexDirectory: indexDirectory(options.data.data), verifyBeforeSearching: true)
            let tasks = try ExportTaskService(dataDirectory: options.data.data, store: store, search: search,
                                              storage: try options.serviceStorage(node: "cli"))
            try reportingServiceErrors { () throws(ServiceError) in try tasks.revoke(id) }
            print("revoked task \(id): its link answers 403 and its file is deleted")
        }
    }
}
