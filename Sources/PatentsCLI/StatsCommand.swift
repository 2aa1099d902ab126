import ArgumentParser
import Foundation
import PatentStore

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts by office, kind, language, field coverage and family sizes.")

    @OptionGroup var options: DataOptions
    @OptionGroup var feed: FeedOptions
    @OptionGroup var writer: WriterOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try feed.follow(options, writer: writer, index: false)
        let stats = try options.openStore().statistics()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        print("publications: \(stats.publications) (\(stats.withClaimsOrDescription) with claims or description)")
        printTable("by office", stats.byOffice)
        printTable("by type", stats.byType)
        printTable("by original language", stats.byLanguage)
        printTable("by kind", stats.byKind, limit: 15)
        printTable("field coverage", stats.coverage)
        print("families:")
        for (level, sizes) in stats.families.sorted(by: { $0.key < $1.key }) {
            let histogram = sizes.sizes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            print("  \(level): \(sizes.count) families, largest \(sizes.largest); sizes \(histogram)")
        }
    }

    private func printTable(_ title: String, _ counts: [String: Int], limit: Int = 50) {
        print("\(title):")
        for (key, count) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(limit) {
            print("  \(key.padding(toLength: 24, withPad: " ", startingAt: 0)) \(count)")
        }
        if counts.count > limit { print("  … \(counts.count - limit) more") }
    }
}
