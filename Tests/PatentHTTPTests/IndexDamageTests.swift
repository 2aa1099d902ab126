import Foundation
import PatentAccounts
import PatentAnalysis
import PatentIndex
import PatentTasks
import PatentTestSupport
import Testing

/// A segment file damaged on disk: the server finds it in the background after opening
/// the generation (opening stays fast) and from then on every search is 68300005 naming
/// the file and the command that repairs it; one-shot commands check before searching.
@Suite("Damaged index files")
struct IndexDamageTests {
    func damagedIndex() throws -> String {
        let directory = try temporaryDirectory("damaged-index")
        let writer = try IndexWriter(directory: directory)
        for k in 1...40 {
            var document = IndexDocument(pn: "US\(k)B2")
            document.values[.title] = [TextAnalyzer.tokens(paragraphs: ["battery cell number \(k)"])]
            document.keywords[.publicationNumber] = ["US\(k)B2"]
            writer.update(document)
        }
        try writer.commit()
        let path = (directory as NSString).appendingPathComponent("seg-1.seg")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[16] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        return directory
    }

    @Test("the server's searches fail with 68300005 naming the file once the background check finds it")
    func backgroundCheck() async throws {
        let service = SearchService(indexDirectory: try damagedIndex())
        var failure: ServiceError?
        for _ in 0..<100 where failure == nil {
            do { _ = try service.searcher() } catch { failure = error }
            if failure == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let error = try #require(failure)
        #expect(error.code == 68300005)
        #expect(error.message.contains("seg-1.seg") && error.message.contains("patents index --rebuild"), "\(error)")
    }

    @Test("a one-shot command's search checks first")
    func checkBeforeSearching() throws {
        let service = SearchService(indexDirectory: try damagedIndex(), verifyBeforeSearching: true)
        #expect(throws: ServiceError.self) { _ = try service.searcher() }
    }
}
