import PatentIndex
import PatentTestSupport
import Testing
@testable import PatentSearch

/// Collapse on the real family 50474376 (11 members: CA, CN, EP ×2, RU, US ×4, WO ×2).
@Suite("Family collapse")
struct CollapseTests {
    let index = FixtureIndex.shared

    /// The family by the DOCDB family id its sources give (API.md "Changes", FAM_ID).
    func search(_ collapse: Collapse?) throws -> SearchResult {
        let (segment, doc) = try #require(index.snapshot.locate("EP2906782A2"))
        #expect(index.snapshot.segments[segment].columns.value(doc, .docdbFamily) == 50474376)
        var request = SearchRequest(query: "FAM_ID:50474376")
        request.rows = 20
        request.collapse = collapse
        return try index.searcher.search(request)
    }

    @Test("without collapse every member is a hit; with DOCDB/INPADOC/EXTEND one")
    func groups() throws {
        #expect(try search(nil).total == 11)
        for kind in [Collapse.Kind.docdb, .inpadoc, .extended] {
            let result = try search(Collapse(kind: kind))
            #expect(result.total == 1, "\(kind)")
            #expect(result.hits.count == 1)
        }
    }

    @Test("a count alone (rows 0, nothing scored) equals the total of a ranked search, with every collapse kind")
    func countWithoutScoring() throws {
        for query in ["method", "FAM_ID:50474376", "PBD:[20000101 TO 20201231]", "TTL:(system OR device) NOT ABST:water"] {
            for collapse in [nil] + Collapse.Kind.allCases.map({ Collapse(kind: $0) }) {
                var request = SearchRequest(query: query)
                request.collapse = collapse
                request.rows = 0
                let counted = try index.searcher.search(request)
                request.rows = 1_000
                let ranked = try index.searcher.search(request)
                #expect(counted.total == ranked.total && counted.hits.isEmpty, "\(query) \(String(describing: collapse?.kind))")
                if collapse != nil { #expect(ranked.total == ranked.hits.count) }
            }
        }
    }

    @Test("APNO: one per application (EP ×2, WO ×2 and two US pairs share one each)")
    func byApplication() throws {
        let result = try search(Collapse(kind: .apno))
        #expect(result.total == 7)
        #expect(result.hits.filter { $0.pn.hasPrefix("EP2906782") }.count == 1)
    }

    @Test("representative by authority: default list, then a custom one; unlisted last, then latest PBD")
    func authority() throws {
        #expect(try search(Collapse(kind: .docdb, by: .authority)).hits.map(\.pn) == ["CN104968889A"])
        #expect(try search(Collapse(kind: .docdb, by: .authority, authorities: ["EP", "US"])).hits.map(\.pn) == ["EP2906782A4"])
        #expect(try search(Collapse(kind: .docdb, by: .authority, authorities: ["DE"])).hits.map(\.pn) == ["US10047600B2"])
    }

    @Test("representative by publication date: latest, oldest (ties by PN)")
    func byDate() throws {
        #expect(try search(Collapse(kind: .inpadoc, by: .publicationDate, order: .latest)).hits.map(\.pn) == ["US10047600B2"])
        #expect(try search(Collapse(kind: .inpadoc, by: .publicationDate, order: .oldest)).hits.map(\.pn) == ["CA2887530A1"])
        #expect(try search(Collapse(kind: .inpadoc, by: .applicationDate, order: .oldest)).hits.map(\.pn) == ["CA2887530A1"])
    }

    @Test("patents without a family stand alone")
    func alone() throws {
        var request = SearchRequest(query: "TTL:truck")
        request.collapse = Collapse(kind: .docdb)
        let plain = try index.searcher.search(SearchRequest(query: "TTL:truck"))
        #expect(try index.searcher.search(request).total == plain.total)
    }
}
