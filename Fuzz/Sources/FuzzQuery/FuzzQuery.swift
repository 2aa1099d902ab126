/// FuzzQuery: libFuzzer feeds the PatSnap query parser arbitrary text (as P002 allows,
/// up to 12,000 characters). It must answer every input with a tree or a `QueryError`
/// at a position inside the query — never trap, hang or read out of bounds.
import Foundation
import FuzzDriver
import PatentQuery

@main struct FuzzQuery {
    static func main() { exit(runFuzzer(fuzzQuery)) }
}

func fuzzQuery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let tree = try QueryParser.parse(text, maximumLength: 12_000)
        // What the parser accepts, its canonical printing parses to the same tree.
        let printed = QueryPrinter.print(tree)
        guard (try? QueryParser.parse(printed, maximumLength: .max)) == tree else {
            fatalError("canonical printing does not round-trip: \(text.debugDescription) → \(printed.debugDescription)")
        }
    } catch {
        guard error.position >= 1, error.position <= text.unicodeScalars.count + 1 else {
            fatalError("error position \(error.position) outside the query \(text.debugDescription)")
        }
    }
    return 0
}
