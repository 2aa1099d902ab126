import Foundation
import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Collapse on a constructed family, for every combination of type, representative and
/// order, against an oracle written from API.md's rules (not from the product's code).
@Suite("Family collapse, constructed")
struct ConstructedCollapseTests {
    struct Member {
        let pn: String
        let application: String?
        let apd: String?
        let pbd: String?
        let title: String
    }

    /// One DOCDB family (shared family id) of seven publications in five offices — two sharing
    /// an application, one unlisted office, one undated — plus a patent alone.
    static let members = [
        Member(pn: "CN101000001A", application: "CN201010000001", apd: "20100101", pbd: "20120101", title: "widget alpha"),
        Member(pn: "US20110000002A1", application: "US12000002", apd: "20100301", pbd: "20110601", title: "widget widget alpha"),
        Member(pn: "US8000002B2", application: "US12000002", apd: "20100301", pbd: "20130601", title: "widget"),
        Member(pn: "EP2000003A1", application: "EP09000003", apd: "20090101", pbd: "20130101", title: "widget beta"),
        Member(pn: "DE102011000004A1", application: "DE102011000004", apd: "20110101", pbd: "20140101", title: "widget"),
        Member(pn: "KR1020000005A", application: nil, apd: nil, pbd: nil, title: "widget widget widget"),
        Member(pn: "JP2015000006A", application: "JP2015000006", apd: "20150101", pbd: "20150701", title: "widget gamma"),
    ]
    static let alone = "JP2016000007A"

    static let fixture: (searcher: Searcher, store: PatentStore) = {
        let data = try! temporaryDirectory("collapse-constructed")
        let store = try! PatentStore(directory: data)
        var patents: [Patent] = []
        for member in members {
            var patent = Patent(publication: PublicationNumber(parsing: member.pn)!)
            if let application = member.application {
                patent.application = DocumentReference(office: String(application.prefix(2)), number: String(application.dropFirst(2)),
                                                       date: member.apd.flatMap(PatentDate.init))
            }
            patent.publicationDate = member.pbd.flatMap(PatentDate.init)
            patent.titles = [LocalizedText(language: "en", text: member.title)]
            patent.docdbFamilyID = "77"
            patents.append(patent)
        }
        var single = Patent(publication: PublicationNumber(parsing: alone)!)
        single.titles = [LocalizedText(language: "en", text: "widget")]
        single.publicationDate = PatentDate("20160101")
        patents.append(single)
        try! store.upsert(patents)
        let index = (data as NSString).appendingPathComponent("index")
        try! IndexUpdater(store: store, directory: index).update()
        return (Searcher(snapshot: try! IndexSnapshot.open(directory: index)), store)
    }()

    static let combinations: [(Collapse.Kind, Collapse.By, Collapse.Order)] =
        Collapse.Kind.allCases.flatMap { kind in Collapse.By.allCases.flatMap { by in Collapse.Order.allCases.map { (kind, by, $0) } } }

    @Test(arguments: combinations.indices)
    func representativesFollowTheRules(_ index: Int) throws {
        let (kind, by, order) = Self.combinations[index]
        var plain = SearchRequest(query: "TTL:widget")
        plain.rows = 100
        let hits = try Self.fixture.searcher.search(plain).hits
        #expect(hits.count == 8)
        let byPN = Dictionary(uniqueKeysWithValues: Self.members.map { ($0.pn, $0) })

        // Groups: APNO by application number (none: alone); the family levels all join the
        // seven publications through their shared family id.
        var groups: [String: [SearchHit]] = [:]
        var singles: [SearchHit] = []
        for hit in hits {
            guard let member = byPN[hit.pn] else { singles.append(hit); continue }
            switch kind {
            case .apno:
                if let application = member.application { groups[application, default: []].append(hit) } else { singles.append(hit) }
            default:
                groups["family", default: []].append(hit)
            }
        }
        func date(_ hit: SearchHit) -> Int {
            let member = byPN[hit.pn]
            let text = by == .applicationDate ? member?.apd : member?.pbd
            return text.flatMap { Int($0) } ?? 0
        }
        func better(_ a: SearchHit, _ b: SearchHit) -> Bool {
            switch by {
            case .applicationDate, .publicationDate:
                let (x, y) = (date(a), date(b))
                if (x == 0) != (y == 0) { return y == 0 }
                if x != y { return order == .latest ? x > y : x < y }
            case .authority:
                // API.md: the default collapse_order_authority is CN, US, EP, JP, KR; others last.
                let rank = { (hit: SearchHit) in ["CN", "US", "EP", "JP", "KR"].firstIndex(of: String(hit.pn.prefix(2))) ?? 99 }
                if rank(a) != rank(b) { return rank(a) < rank(b) }
                if a.publicationDate != b.publicationDate { return a.publicationDate > b.publicationDate }
            case .score:
                if a.score != b.score { return a.score > b.score }
            }
            return a.pn < b.pn
        }
        let representatives = groups.values.map { $0.min(by: better)! } + singles
        let expected = representatives.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.publicationDate != b.publicationDate { return a.publicationDate > b.publicationDate }
            return a.pn < b.pn
        }.map(\.pn)

        var collapsed = SearchRequest(query: "TTL:widget")
        collapsed.rows = 100
        collapsed.collapse = Collapse(kind: kind, by: by, order: order)
        let result = try Self.fixture.searcher.search(collapsed)
        #expect(result.total == expected.count, "\(kind) \(by) \(order)")
        #expect(result.hits.map(\.pn) == expected, "\(kind) \(by) \(order)")

        // Offset and rows apply after collapse.
        collapsed.offset = 1
        collapsed.rows = 2
        let window = try Self.fixture.searcher.search(collapsed)
        #expect(window.total == expected.count)
        #expect(window.hits.map(\.pn) == Array(expected.dropFirst().prefix(2)))
    }

    @Test("the constructed family is one group at every family level, and APNO splits it by application")
    func groupSizes() throws {
        for kind in [Collapse.Kind.docdb, .inpadoc, .extended] {
            var request = SearchRequest(query: "TTL:widget")
            request.collapse = Collapse(kind: kind)
            #expect(try Self.fixture.searcher.search(request).total == 2, "\(kind)")
        }
        var request = SearchRequest(query: "TTL:widget")
        request.collapse = Collapse(kind: .apno)
        // Five applications (the two US publications share one), the KR without one, the patent alone.
        #expect(try Self.fixture.searcher.search(request).total == 7)
    }
}
