import ArgumentParser
import Foundation
import PatentStore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a patent record as JSON (and, on standard error, the office's original PDF when the store holds one).")

    @OptionGroup var options: DataOptions

    @Argument(help: "Publication number, e.g. US10047600B2 (without kind code: every kind).")
    var pn: String

    func run() throws {
        let store = try options.openStore()
        var numbers = try store.patent(pn) != nil ? [pn] : try store.publicationNumbers(matching: pn)
        if numbers.isEmpty { throw ValidationError("no patent \(pn) in \(options.data)") }
        numbers = Array(numbers.prefix(20))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for number in numbers {
            guard let patent = try store.patent(number) else { continue }
            print(String(decoding: try encoder.encode(patent), as: UTF8.self))
            if let original = store.originalPDF(number) {
                let size = (try? FileManager.default.attributesOfItem(atPath: original)[.size] as? Int) ?? 0
                FileHandle.standardError.write(Data("\(number): original PDF \(original) (\(size) bytes)\n".utf8))
            }
        }
    }
}
