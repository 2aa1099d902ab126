@testable import PatentIndex
@testable import PatentIngest
import PatentTestSupport
import Testing

@Suite("Index documents")
struct IndexDocumentTests {
    @Test("a class code's hierarchy is the same on the byte path as character by character")
    func classificationHierarchyBytePath() {
        #expect(ClassificationTerms.hierarchy("H01M10/0525") == ["H", "H01", "H01M", "H01M10", "H01M10/05", "H01M10/052", "H01M10/0525"])
        #expect(ClassificationTerms.hierarchy("H01M10/00") == ["H", "H01", "H01M", "H01M10"])
        #expect(ClassificationTerms.hierarchy("H01M/") == ["H", "H01", "H01M"], "no group: no crash, no group term")
        for code in randomStrings(5_000, from: "H01M/5Y2", maxLength: 12, seed: 11) {
            #expect(ClassificationTerms.hierarchy(code) == ClassificationTerms.characterHierarchy(code), "\(code)")
        }
    }
}
