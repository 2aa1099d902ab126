import ArgumentParser
import Foundation
import PatentCorpus
import PatentStore

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic corpus learned from the patents in --data (for benchmarks; never import it into real data)."
    )

    @OptionGroup var options: DataOptions

    @Option(help: "Number of patents.") var count: Int
    @Option(help: "Seed: the same seed gives the same corpus.") var seed: UInt64 = 1
    @Option(help: "Output folder (bundles of 10,000 MAREC documents each).") var out: String
    @Flag(help: "Bibliographic data, title and abstract only (no claims or description).") var biblioOnly = false

    func run() throws {
        let model = try CorpusModel.learn(from: try options.openStore())
        guard !model.words.isEmpty else { throw ValidationError("the store in \(options.data) has no English text to learn from") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var generator = CorpusGenerator(model: model, seed: seed)
        generator.fullText = !biblioOnly
        var written = 0
        var bundle = 0
        while written < count {
            let path = (out as NSString).appendingPathComponent(String(format: "corpus-%05d.xml", bundle))
            FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var buffer = ""
            for _ in 0..<min(10_000, count - written) {
                buffer += MARECWriter.document(generator.next())
                written += 1
                if buffer.utf8.count > 1 << 20 {
                    handle.write(Data(buffer.utf8))
                    buffer = ""
                }
            }
            handle.write(Data(buffer.utf8))
            try handle.close()
            bundle += 1
        }
        print("wrote \(written) patents in \(bundle) file(s) to \(out)")
    }
}
