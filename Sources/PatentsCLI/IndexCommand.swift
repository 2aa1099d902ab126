import ArgumentParser
import CMalloc
import Foundation
import PatentIndex
import PatentIngest
import PatentStore

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build or update the search index from the store (only what changed since the last run)."
    )

    @OptionGroup var options: DataOptions
    @OptionGroup var writer: WriterOptions
    @OptionGroup var feed: FeedOptions

    @Flag(help: "Merge all segments into one afterwards.")
    var merge = false

    @Flag(help: "Index every patent of the store again from nothing (after an error naming a damaged segment file).")
    var rebuild = false

    @Option(help: "Build one shard of an index split into this many by extended family (with --shard; then `patents segments publish --shard`).")
    var shards: Int?

    @Option(help: "The shard to build, 0…shards−1 (the index remembers it; later runs keep it).")
    var shard: Int?

    func validate() throws {
        guard (shards == nil) == (shard == nil) else { throw ValidationError("--shards and --shard go together") }
        if let shards, let shard {
            do { _ = try ShardRouting(count: shards, index: shard) } catch { throw ValidationError("--shards/--shard: \(error)") }
        }
    }

    func run() throws {
        let lock = try writer.lock(options.data, command: "index")
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openStore()
        if let shared = try feed.openFeed() { try feed.catchUp(store, on: shared) }
        let routing = try shards.flatMap { count in try shard.map { try ShardRouting(count: count, index: $0) } }
        do {
            try updateIndex(store: store, data: options.data, memoryMB: writer.memory, rebuild: rebuild, shard: routing)
        } catch let error as IndexError {
            throw refused("error: \(error)")
        }
        if merge {
            let writer = try IndexWriter(directory: indexDirectory(options.data))
            try writer.merge()
            print("merged into \(writer.manifest.segments.count) segment(s), generation \(writer.manifest.generation)")
        }
    }
}

func indexDirectory(_ data: String) -> String { (data as NSString).appendingPathComponent("index") }

/// Brings the index up to date (rebuilt from nothing with `rebuild`, or when it was
/// written in an earlier format); `progress` hears the patents indexed so far at each commit,
/// `say` the summary (standard output by default).
@discardableResult
func updateIndex(store: PatentStore, data: String, memoryMB: Int, rebuild: Bool = false, shard: ShardRouting? = nil,
                 progress: @escaping (Int) -> Void = { _ in },
                 say: (String) -> Void = { print($0) }) throws -> IndexUpdater.Report {
    var updater = IndexUpdater(store: store, directory: indexDirectory(data))
    updater.memoryBudget = memoryMB << 20
    // glibc gives each thread that allocates its own arena, and memory freed in one is
    // not reused by the others: the build's threads (inverters, merge, store reader)
    // allocate and free big arrays in turn, so two arenas keep the peak near the budget
    // (5M patents: 1.08–1.20 GB peak with the default, 1.03 GB with two).
    mallopt(M_ARENA_MAX, 2)
    updater.rebuild = rebuild
    updater.shard = shard
    if IndexWriter.isOldFormat(indexDirectory(data)) {
        FileHandle.standardError.write(Data("the index was written by an earlier version: rebuilding it from the store\n".utf8))
    }
    TestHooks.apply(to: &updater)
    let report = try updater.update {
        progress($0)
        TestHooks.pause?()
    }
    say((report.rebuilt ? "rebuilt the index: " : "") + String(format: "indexed %d patents in %.1f s; generation %d, %d segment(s)",
                                                                  report.indexed, report.seconds, report.generation, report.segments))
    return report
}
