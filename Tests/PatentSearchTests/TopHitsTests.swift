import PatentTestSupport
import Testing
import PatentIndex
@testable import PatentSearch

/// The best `capacity` candidates in total order (score, date, PN), however many arrive
/// and however many tie — PN ties by their keys, and by the PNs themselves where the keys
/// (first 16 bytes) are equal.
@Suite("Top hits")
struct TopHitsTests {
    @Test("buffered selection keeps exactly what a full sort keeps, ties broken by PN", arguments: [1, 7, 100, 1_000])
    func selectionEqualsSort(capacity: Int) {
        var random = SplitMix64(state: UInt64(capacity))
        for count in [0, capacity - 1, capacity, capacity * 2 + 63, capacity * 2 + 64, 5_000] where count >= 0 {
            // Few distinct scores and dates: most candidates tie on both.
            // Half the PNs share their first 16 bytes, so only the PNs can order them.
            let pns = (0..<count).map { doc in
                let number = 1_000_000 + (doc * 7_919) % 100_003
                return doc % 2 == 0 ? "US\(number)B1" : "WO2020/LONGPREFIX\(number)"
            }
            let candidates = (0..<count).map { doc in
                Candidate(score: Double(random.next() % 4), date: Int32(20_200_101 + random.next() % 3), segment: 0, doc: Int32(doc))
            }
            var top = TopHits(capacity: capacity, order: ResultOrder(keys: []), pns: TablePNs(pns: pns))
            for candidate in candidates where top.mayAdmit(score: candidate.score) { top.offer(candidate) }
            let kept = top.sorted().map { pns[Int($0.doc)] }
            let expected = candidates.sorted { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.date != b.date { return a.date > b.date }
                return pns[Int(a.doc)] < pns[Int(b.doc)]
            }.prefix(capacity).map { pns[Int($0.doc)] }
            #expect(kept == Array(expected), "capacity \(capacity), \(count) candidates")
        }
    }

    @Test("a PN key orders as the PN's bytes do, up to its 16th byte")
    func keyOrder() {
        let pns = ["", "A", "A\u{0}", "AB", "B", "CN1234567A", "EP1234567B1", "US10000000B2", "US1000000B2", "US2023012345A1",
                   "US2023012345A1X", "US2023012345A1XY", "US2023012345A1XYZ", "ÉP1", "ÿ", "日本"]
        for a in pns {
            for b in pns {
                let byBytes = a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (b.utf8.lexicographicallyPrecedes(a.utf8) ? 1 : 0)
                let byKey = PNKey(a).compare(PNKey(b))
                if byKey != 0 { #expect(byKey == byBytes, "\(a) vs \(b)") }
                // Equal keys only where the first 16 bytes agree (zero-padded).
                let padded = { (s: String) in Array(s.utf8.prefix(16)) + Array(repeating: UInt8(0), count: 16 - min(16, s.utf8.count)) }
                #expect((byKey == 0) == (padded(a) == padded(b)), "\(a) vs \(b)")
            }
        }
    }
}

/// PNs by document number, for candidates of segment 0.
private struct TablePNs: PNSource {
    let pns: [String]

    func pnKey(_ candidate: Candidate) -> PNKey { PNKey(pns[Int(candidate.doc)]) }
    func pn(_ candidate: Candidate) -> String { pns[Int(candidate.doc)] }
}
