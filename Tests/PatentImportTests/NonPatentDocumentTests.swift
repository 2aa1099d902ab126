import PatentImport
import Testing

/// Documents that are not patents, taken from the shared data (`Tests/ReaderFixtures/non-patent`;
/// the reference list is the head of MAREC's `allRefChunks.txt`, the sequence listing one
/// document of a USPTO grant bundle): each is named for what it is, never a skipped patent.
@Suite("Documents that are not patents")
struct NonPatentDocumentTests {
    static let files: [(String, NonPatentDocument)] = [
        ("ops-search-result.xml", .searchResults), ("ppubs-search-empty.json", .searchResults),
        ("ops-register-search.xml", .registerRecord), ("ops-number-service.xml", .numberConversion),
        ("ops-images.xml", .imageInquiry), ("ops-error.xml", .serviceError), ("ops-fault.xml", .serviceError),
        ("ppubs-search-error.json", .serviceError), ("ppubs-session.json", .serviceSession),
        ("ppubs-print-process.json", .serviceSession), ("patft-error.html", .webPage),
        ("sequence-listing.xml", .sequenceListing), ("xml4ip-claims.xml", .fileWrapper),
        ("cpc-scheme.xml", .classificationScheme), ("table.xml", .fragment), ("reference-list.txt", .plainText),
    ]

    @Test("each is recognised as what it is", arguments: files)
    func recognised(file: String, kind: NonPatentDocument) throws {
        let read = try Fixtures.read("non-patent/" + file, readerOnly: true)
        #expect(read.patents.isEmpty)
        #expect(Array(read.problems.values) == [.notPatent(kind)], "\(file)")
    }

    @Test("a document in an unknown XML vocabulary stays an unknown format, not a non-patent")
    func unknownStaysUnknown() {
        let result = DocumentDecoder.decode(Array("<patent-like><title>x</title></patent-like>".utf8))
        #expect(result == .failure(.unknownFormat("patent-like")))
    }
}
