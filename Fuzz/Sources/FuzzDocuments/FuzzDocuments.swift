/// FuzzDocuments: libFuzzer feeds the document readers arbitrary bytes — every XML
/// format, PPUBS JSON, APS text and EPO TSV, chosen from content as `patents import`
/// does. Each input must decode to records or to an `ImportProblem`, never trap.
import Foundation
import FuzzDriver
import PatentImport

@main struct FuzzDocuments {
    static func main() { exit(runFuzzer(fuzzDocuments)) }
}

func fuzzDocuments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = DocumentDecoder.decode(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
