import ArgumentParser
import Foundation
import PatentQuery

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse a PatSnap query: print its syntax tree as JSON, or the error with a caret under it."
    )

    @Argument(help: "The query text.")
    var query: String

    @Flag(help: "Print the canonical query text instead of the tree.")
    var canonical = false

    func run() throws {
        do {
            let tree = try QueryParser.parse(query)
            if canonical {
                print(QueryPrinter.print(tree))
                return
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(tree), as: UTF8.self))
        } catch let error as QueryError {
            FileHandle.standardError.write(Data("""
                error \(QueryError.code): \(error.message)
                  \(query)
                  \(String(repeating: " ", count: max(0, error.position - 1)))^

                """.utf8))
            throw ExitCode(2)
        }
    }
}
