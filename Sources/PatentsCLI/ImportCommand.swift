import ArgumentParser
import Foundation
import PatentImport
import PatentIngest
import PatentStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import patents from files, folders, .zip or .gz (format detected from content)."
    )

    @OptionGroup var options: DataOptions
    @OptionGroup var writer: WriterOptions
    @OptionGroup var feed: FeedOptions

    @Argument(help: "Files or folders to import.")
    var paths: [String]

    @Flag(help: "Decode and report without writing to the store.")
    var dryRun = false

    @Flag(help: "Do not update the search index afterwards.")
    var noIndex = false

    @Flag(help: "List every skipped document with its reason, every document that is not a patent with what it is, and every repair of broken XML with its line and column.")
    var verbose = false

    func run() throws {
        let lock = dryRun ? nil : try writer.lock(options.data, command: "import")
        defer { withExtendedLifetime(lock) {} }
        let store = dryRun ? nil : try options.openStore()
        var importer = Importer(store: store)
        if let store, let shared = try feed.openFeed() {
            // The folder first catches up, so the publishing batches have little to take in
            // under the feed's lock; then each batch is published and applied here.
            try feed.catchUp(store, on: shared)
            importer.write = { try shared.publishBlocking($1, through: $0) }
            importer.saveOriginal = { try shared.publishOriginalBlocking($1, pn: $2, through: $0) }
        }
        TestHooks.apply(to: &importer)
        let isTerminal = isatty(STDERR_FILENO) != 0
        let report = try importer.run(paths: paths) { progress in
            let line = String(format: "files %d, documents %d, %.0f documents/s", progress.files, progress.documents,
                              progress.documentsPerSecond)
            FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "" : "\n")).utf8))
        }
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        print(String(format: "imported %d, updated %d, unchanged %d, skipped %d (%d documents from %d files in %.1f s, %.0f documents/s)",
                     report.inserted, report.updated, report.unchanged, report.skipped.count, report.documents, report.files,
                     report.seconds, report.seconds > 0 ? Double(report.documents) / report.seconds : 0))
        print(String(format: "  time: decoding %.1f s, writing %.1f s", report.decodeSeconds, report.writeSeconds))
        for (reason, count) in report.skippedByReason.sorted(by: { $0.value > $1.value }) {
            print("  skipped \(count): \(reason)")
        }
        if !report.repaired.isEmpty {
            print("  repaired \(report.repaired.count): broken XML mended and imported")
        }
        if !report.originals.isEmpty {
            print("  original PDFs \(report.originals.count): stored with their publications (pdf exports use them)")
        }
        if !report.notPatents.isEmpty {
            print("  not patent documents \(report.notPatents.count), not imported:")
            for (kind, count) in report.notPatentsByKind.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }) {
                print("    \(count): \(kind.rawValue)")
            }
        }
        if verbose {
            for (origin, problem) in report.skipped { print("  \(origin): \(problem)") }
            for (origin, kind) in report.notPatents { print("  \(origin): not a patent document: \(kind.rawValue)") }
            for (origin, repairs) in report.repaired {
                for repair in repairs { print("  \(origin): repaired \(repair)") }
            }
        } else if !report.skipped.isEmpty || !report.repaired.isEmpty || !report.notPatents.isEmpty {
            print("  (--verbose lists each skipped, repaired and non-patent document)")
        }
        if let store, !noIndex { try updateIndex(store: store, data: options.data, memoryMB: writer.memory) }
    }
}
