import Foundation
import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentSearch

/// QUERY.md §8 "Collapse": groups are connected components of the whole repository, so a
/// patent the query does not match still joins two that it does; the representative is
/// chosen among the group's matching patents only (API.md).
@Suite("Family collapse through a patent the query does not match")
struct CollapseChainTests {
    /// CN and EP match `widget` and share no priority; the US gadget shares one with each
    /// and is the latest published; the JP widget stands alone.
    static let searcher: Searcher = {
        let data = try! temporaryDirectory("collapse-chain")
        let store = try! PatentStore(directory: data)
        let first = DocumentReference(office: "CN", number: "201010000001", date: PatentDate("20100101"))
        let second = DocumentReference(office: "EP", number: "10000002", date: PatentDate("20100601"))
        func patent(_ pn: String, _ title: String, published: String, priorities: [DocumentReference]) -> Patent {
            var patent = Patent(publication: PublicationNumber(parsing: pn)!)
            patent.titles = [LocalizedText(language: "en", text: title)]
            patent.publicationDate = PatentDate(published)
            patent.priorities = priorities
            return patent
        }
        try! store.upsert([
            patent("CN102000001A", "widget", published: "20120101", priorities: [first]),
            patent("US9000002B2", "gadget", published: "20150101", priorities: [first, second]),
            patent("EP2500003A1", "widget", published: "20130101", priorities: [second]),
            patent("JP2014000004A", "widget", published: "20140101", priorities: []),
        ])
        let index = (data as NSString).appendingPathComponent("index")
        try! IndexUpdater(store: store, directory: index).update()
        return Searcher(snapshot: try! IndexSnapshot.open(directory: index))
    }()

    func search(_ collapse: Collapse?) throws -> [String] {
        var request = SearchRequest(query: "TTL:widget")
        request.collapse = collapse
        let result = try Self.searcher.search(request)
        #expect(result.total == result.hits.count)
        return result.hits.map(\.pn).sorted()
    }

    @Test("INPADOC and EXTEND join CN and EP through the gadget; DOCDB (same priority set) does not")
    func groups() throws {
        #expect(try search(nil) == ["CN102000001A", "EP2500003A1", "JP2014000004A"])
        #expect(try search(Collapse(kind: .docdb)) == ["CN102000001A", "EP2500003A1", "JP2014000004A"])
        for kind in [Collapse.Kind.inpadoc, .extended] {
            #expect(try search(Collapse(kind: kind, by: .publicationDate, order: .latest)) == ["EP2500003A1", "JP2014000004A"], "\(kind)")
            #expect(try search(Collapse(kind: kind, by: .publicationDate, order: .oldest)) == ["CN102000001A", "JP2014000004A"], "\(kind)")
            // By authority (CN first): still one of the matching two, never the US gadget.
            #expect(try search(Collapse(kind: kind, by: .authority)) == ["CN102000001A", "JP2014000004A"], "\(kind)")
        }
    }
}
