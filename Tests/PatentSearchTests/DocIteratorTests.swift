import Foundation
import PatentIndex
import PatentModel
import PatentTestSupport
import Testing
@testable import PatentSearch

/// The iterators a query is planned into give exactly the documents of the set
/// operations and column tests they stand for, whether stepped or advanced.
@Suite("Document iterators")
struct DocIteratorTests {
    /// Documents until `next()` ends.
    static func drain(_ iterator: DocIterator) -> [Int32] {
        var out: [Int32] = []
        var doc = iterator.next()
        while doc != DocIterator.end {
            out.append(doc)
            doc = iterator.next()
        }
        return out
    }

    /// Documents visited by advancing to `target`, then to each found document + `stride`.
    static func advancing(_ iterator: DocIterator, stride: Int32) -> [Int32] {
        var out: [Int32] = []
        var doc = iterator.advance(to: 0)
        while doc != DocIterator.end {
            out.append(doc)
            doc = iterator.advance(to: doc + stride)
        }
        return out
    }

    /// What the same walk finds in a sorted list.
    static func advancing(_ list: [Int32], stride: Int32) -> [Int32] {
        var out: [Int32] = []
        var target: Int32 = 0
        for doc in list where doc >= target {
            out.append(doc)
            target = doc + stride
        }
        return out
    }

    static func randomList(_ random: inout SplitMix64, count: Int, universe: Int) -> [Int32] {
        Array(Set((0..<count).map { _ in Int32(random.next() % UInt64(universe)) })).sorted()
    }

    @Test("unions, conjunctions and exclusions equal their set operations, stepped and advanced")
    func setOperations() {
        var random = SplitMix64(state: 17)
        for round in 0..<60 {
            let universe = 200 + round * 50
            let lists = (0..<4).map { k in Self.randomList(&random, count: universe / (2 + k + round % 3), universe: universe) }
            let sets = lists.map(Set.init)
            func make(_ k: Int) -> DocIterator { ListIterator(DocSet(lists[k])) }
            let union = sets[0].union(sets[1]).union(sets[2]).sorted()
            let conjunction = sets[0].intersection(sets[1]).intersection(sets[2]).sorted()
            let exclusion = sets[0].subtracting(sets[1].union(sets[3])).sorted()
            #expect(Self.drain(UnionIterator([make(0), make(1), make(2)])) == union)
            #expect(Self.drain(ConjunctionIterator([make(0), make(1), make(2)], checks: [])) == conjunction)
            #expect(Self.drain(ExclusionIterator(make(0), excluding: UnionIterator([make(1), make(3)]))) == exclusion)
            let all = Self.drain(ExclusionIterator(AllDocumentsIterator(count: universe), excluding: make(2)))
            #expect(all == Set(0..<Int32(universe)).subtracting(sets[2]).sorted())
            for stride: Int32 in [1, 3, 40] {
                #expect(Self.advancing(UnionIterator([make(0), make(1), make(2)]), stride: stride) == Self.advancing(union, stride: stride))
                #expect(Self.advancing(ConjunctionIterator([make(0), make(1), make(2)], checks: []), stride: stride)
                    == Self.advancing(conjunction, stride: stride))
                #expect(Self.advancing(ExclusionIterator(make(0), excluding: UnionIterator([make(1), make(3)])), stride: stride)
                    == Self.advancing(exclusion, stride: stride))
            }
        }
    }

    /// A segment of 3,000 documents with publication dates spread over 2000–2020, every
    /// seventh without one.
    static let segment: (segment: Segment, dates: [Int32]) = {
        var random = SplitMix64(state: 23)
        let writer = SegmentWriter()
        var dates: [Int32] = []
        for doc in 0..<3_000 {
            var patent = Patent(publication: PublicationNumber(parsing: "US\(2_000_000 + doc)B1")!)
            patent.titles = [LocalizedText(language: "en", text: "widget \(doc % 7)")]
            var date: Int32 = 0
            if doc % 7 != 0 {
                let year = 2_000 + Int(random.next() % 21)
                let month = 1 + Int(random.next() % 12)
                let day = 1 + Int(random.next() % 28)
                date = Int32(year * 10_000 + month * 100 + day)
                patent.publicationDate = PatentDate(String(date))
            }
            dates.append(date)
            writer.add(IndexDocument(patent))
        }
        let directory = MemoryDirectory()
        try! writer.write(to: directory, id: 1)
        return (try! Segment(directory: directory, id: 1), dates)
    }()

    @Test("a date range scanned in windows finds the dated documents in range, stepped, advanced and as a check",
          arguments: [(20_050_101, 20_101_231), (Int32.min, 20_031_231), (20_150_101, Int32.max), (20_100_101, 20_091_231),
                      (Int32.min, Int32.max)] as [(Int32, Int32)])
    func dateRanges(low: Int32, high: Int32) {
        let (segment, dates) = Self.segment
        let expected = dates.indices.filter { dates[$0] != 0 && dates[$0] >= low && dates[$0] <= high }.map(Int32.init)
        func make() -> ColumnRangeIterator { ColumnRangeIterator(segment: segment, column: .publicationDate, low: low, high: high) }
        #expect(Self.drain(make()) == expected)
        for stride: Int32 in [1, 2, 300, 700] {
            #expect(Self.advancing(make(), stride: stride) == Self.advancing(expected, stride: stride), "stride \(stride)")
        }
        let checked = dates.indices.filter { make().holds(Int32($0)) }.map(Int32.init)
        #expect(checked == expected)
        // As a check inside a conjunction: every third document.
        let thirds = ListIterator(DocSet(stride(from: Int32(0), to: 3_000, by: 3).map { $0 }))
        #expect(Self.drain(ConjunctionIterator([thirds], checks: [make()])) == expected.filter { $0 % 3 == 0 })
    }
}
