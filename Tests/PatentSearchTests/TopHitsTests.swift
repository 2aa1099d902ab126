import PatentTestSupport
import Testing
@testable import PatentSearch

/// The best `capacity` candidates in total order (score, date, PN), however many arrive
/// and however many tie.
@Suite("Top hits")
struct TopHitsTests {
    @Test("buffered selection keeps exactly what a full sort keeps, ties broken by PN", arguments: [1, 7, 100, 1_000])
    func selectionEqualsSort(capacity: Int) {
        var random = SplitMix64(state: UInt64(capacity))
        for count in [0, capacity - 1, capacity, capacity * 2 + 63, capacity * 2 + 64, 5_000] where count >= 0 {
            // Few distinct scores and dates: most candidates tie on both.
            let candidates = (0..<count).map { doc in
                Candidate(score: Double(random.next() % 4), date: Int32(20_200_101 + random.next() % 3), segment: 0, doc: Int32(doc))
            }
            let pns = (0..<count).map { "US\(1_000_000 + (Int($0) * 7_919) % 100_003)B1" }
            var top = TopHits(capacity: capacity, order: ResultOrder(keys: [])) { pns[Int($0.doc)] }
            for candidate in candidates where top.mayAdmit(score: candidate.score) { top.offer(candidate) }
            let kept = top.sorted().map(\.pn)
            let expected = candidates.sorted { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.date != b.date { return a.date > b.date }
                return pns[Int(a.doc)] < pns[Int(b.doc)]
            }.prefix(capacity).map { pns[Int($0.doc)] }
            #expect(kept == Array(expected), "capacity \(capacity), \(count) candidates")
        }
    }
}
