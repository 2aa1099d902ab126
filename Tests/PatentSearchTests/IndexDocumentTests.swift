@testable import PatentIndex
import Testing

@Suite("Index documents")
struct IndexDocumentTests {
    @Test("a class code's hierarchy is the same on the byte path as character by character")
    func classificationHierarchyBytePath() {
        #expect(ClassificationTerms.hierarchy("H01M10/0525") == ["H", "H01", "H01M", "H01M10", "H01M10/05", "H01M10/052", "H01M10/0525"])
        #expect(ClassificationTerms.hierarchy("H01M10/00") == ["H", "H01", "H01M", "H01M10"])
        #expect(ClassificationTerms.hierarchy("H01M/") == ["H", "H01", "H01M"], "no group: no crash, no group term")
        let alphabet = Array("H01M/5Y2")
        var state: UInt64 = 11
        for _ in 0..<5_000 {
            let code = String((0..<Int(state % 13)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return alphabet[Int(state >> 33) % alphabet.count]
            })
            #expect(ClassificationTerms.hierarchy(code) == ClassificationTerms.characterHierarchy(code), "\(code)")
        }
    }
}
