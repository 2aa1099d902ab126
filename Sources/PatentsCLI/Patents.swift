/// PatentsCLI: the `patents` command — import, index, search, export, serve and the
/// tools around them. Each subcommand is a thin door onto a
/// library module; the work happens there.
import ArgumentParser

@main
struct Patents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patents",
        abstract: "A self-hostable patent search and bulk-export server (PatSnap Connect export API).",
        subcommands: [ServeCommand.self, ImportCommand.self, IndexCommand.self, SearchCommand.self, ExportCommand.self,
                      ShowCommand.self, StatsCommand.self, ClientsCommand.self, FieldsCommand.self,
                      GenerateCommand.self,
                      ParseCommand.self, BenchCommand.self]
    )
}

/// `--data DIR`: the one folder that holds the store, the index and the export files.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder (store, index, exports).")
    var data: String = "./patents-data"
}
