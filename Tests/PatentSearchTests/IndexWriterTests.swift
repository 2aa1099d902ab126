import Foundation
import PatentAnalysis
@testable import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing
@testable import PatentSearch

@Suite("Index writer: generations, replacement, removal, merging")
struct IndexWriterTests {
    /// Commits come from the memory budget, not a document count: a small budget writes
    /// many segments (then merged, streamed), and the answers equal a one-segment build's.
    @Test func theMemoryBudgetDecidesCommitsAndChangesNoAnswer() throws {
        // One store revision per patent: commits may fall between any two.
        let store = try PatentStore(directory: try temporaryDirectory("budget-store"))
        for stored in try FixtureIndex.shared.store.changes(after: 0, limit: 10_000) { try store.upsert([stored.patent]) }
        let reference = try temporaryDirectory("budget-reference")
        let threads = IndexUpdater(store: store, directory: reference).threads
        let one = try IndexUpdater(store: store, directory: reference).update()
        #expect(one.generation == 1 && one.segments == threads, "512 MB holds the fixtures in one segment per indexing thread")

        let directory = try temporaryDirectory("budget-small")
        var updater = IndexUpdater(store: store, directory: directory)
        updater.memoryBudget = 32 << 10
        updater.mergePolicy = TieredMergePolicy(segmentsPerTier: 1_000)
        updater.pageSize = 8
        let small = try updater.update()
        #expect(small.segments >= 5, "a 32 KB budget cuts the fixtures into several segments (\(small.segments))")
        let estimate = SegmentWriter()
        for stored in try store.changes(after: 0, limit: 3) { estimate.add(IndexDocument(stored.patent)) }
        #expect(estimate.estimatedBytes > 3 * SegmentWriter.documentOverhead)

        let queries = ["method", "TTL:(system OR apparatus)", "ABST:\"control unit\"", "TA:(data $W3 signal)", "IPC:G06F", "*ology",
                       "DESC:(signal $SEN processing)", "CLMS:(claim $FREQ3)"]
        func answers(_ directory: String) throws -> [[String]] {
            let searcher = Searcher(snapshot: try IndexSnapshot.open(directory: directory))
            return try queries.map { query in
                var request = SearchRequest(query: query)
                request.rows = 1_000
                return try searcher.search(request).hits.map { "\($0.pn) \($0.score)" }
            }
        }
        let expected = try answers(reference)
        #expect(try answers(directory) == expected)
        try IndexWriter(directory: directory).merge()
        #expect(try IndexSnapshot.open(directory: directory).segments.count == 1)
        #expect(try answers(directory) == expected, "the streamed merge answers as the one-segment build")
    }

    /// A full segment waits for the end of its store revision, however many pages that
    /// takes: two revisions of 43 patents read 10 at a time give exactly two commits.
    @Test func aFullSegmentIsCommittedAtTheEndOfItsRevisionWhateverThePageSize() throws {
        let store = try PatentStore(directory: try temporaryDirectory("revision-store"))
        let patents = try FixtureIndex.shared.store.changes(after: 0, limit: 10_000).map(\.patent)
        try store.upsert(Array(patents[..<43]))
        try store.upsert(Array(patents[43...]))
        var updater = IndexUpdater(store: store, directory: try temporaryDirectory("revision-index"))
        updater.pageSize = 10
        updater.memoryBudget = 1
        updater.threads = 1
        let report = try updater.update()
        #expect(report.generation == 2 && report.segments == 2, "one commit per revision: \(report.generation), \(report.segments)")
        #expect(report.indexed == patents.count)
    }

    /// Leading-wildcard lookups binary-search the reversed-term order; the writer sorts it
    /// by reading terms backwards in place, which must equal sorting the reversed strings.
    @Test func theReversedTermOrderEqualsSortingReversedStrings() {
        var random = SplitMix64(state: 5)
        let alphabet = Array("abzé漢字ß한😀-1")
        let words = Set((0..<2_000).map { _ in String((0..<Int(1 + random.next() % 6)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }) })
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var terms = SegmentLayout.Terms()
        for word in words { terms.add(Array(word.utf8), postings: 0, positions: nil, frequency: 1) }
        let reversed = words.map { Array(String(String.UnicodeScalarView($0.unicodeScalars.reversed())).utf8) }
        let expected = words.indices.sorted { reversed[$0].lexicographicallyPrecedes(reversed[$1]) }.map(UInt32.init)
        #expect(words.count > 1_000)
        #expect(SegmentLayout.reversedOrder(terms) == expected)
    }

    @Test func replaceRemoveAndMerge() throws {
        let directory = try temporaryDirectory("writer")
        let writer = try IndexWriter(directory: directory)
        writer.update(document("US1B2", title: "lithium battery"))
        writer.update(document("US2B2", title: "fuel cell"))
        writer.update(document("US2B2", title: "fuel cell stack"))
        #expect(try writer.commit(storeRevision: 3) == 1)
        writer.update(document("US1B2", title: "sodium battery"))
        writer.update(document("US3B2", title: "solar battery"))
        try writer.commit()
        writer.remove("US3B2")
        try writer.commit()

        let snapshot = try IndexSnapshot.open(directory: directory)
        #expect(snapshot.generation == 3)
        #expect(snapshot.manifest.storeRevision == 3)
        #expect(snapshot.liveDocuments == 2)
        let searcher = Searcher(snapshot: snapshot)
        #expect(try searcher.matchingPublications("battery") == ["US1B2"])
        #expect(try searcher.matchingPublications("lithium").isEmpty)
        #expect(try searcher.matchingPublications("sodium") == ["US1B2"])
        #expect(try searcher.matchingPublications("\"cell stack\"") == ["US2B2"])
        #expect(try searcher.matchingPublications("solar").isEmpty)

        try writer.merge()
        let merged = try IndexSnapshot.open(directory: directory)
        #expect(merged.segments.count == 1)
        #expect(merged.segments[0].documentCount == 2)
        #expect(merged.deletions[0].count == 0)
        let after = Searcher(snapshot: merged)
        for query in ["battery", "sodium", "\"cell stack\"", "solar", "fuel $W1 stack", "batt*", "PN:US1", "PBD:20200101"] {
            #expect(try after.matchingPublications(query) == (try searcher.matchingPublications(query)), "\(query)")
        }
        // The old generation's files are gone; the open snapshot still answers from its mappings.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        let id = merged.segments[0].id
        #expect(files == ["manifest.json", "seg-\(id).pos", "seg-\(id).seg"])
        #expect(try searcher.matchingPublications("sodium") == ["US1B2"])
    }

    @Test("each segment's manifest entry stores its norm sums; less the deleted documents' norms they give the live sums")
    func storedNormSums() throws {
        let snapshot = FixtureIndex.shared.snapshot
        #expect(!snapshot.segments.isEmpty)
        for (entry, segment) in zip(snapshot.manifest.segments, snapshot.segments) {
            let sums = try #require(entry.normSums)
            let none = DeletionSet(documents: segment.documentCount)
            #expect(sums == IndexField.textFields.map { segment.columns.normSum($0, excluding: none) })
            var deleted = DeletionSet(documents: segment.documentCount)
            for doc in stride(from: 0, to: segment.documentCount, by: 3) { deleted.insert(doc) }
            for (slot, field) in IndexField.textFields.enumerated() {
                #expect(sums[slot] - segment.columns.normSum(field, of: deleted) == segment.columns.normSum(field, excluding: deleted))
            }
        }
        #expect(snapshot.manifest.segments.contains { ($0.normSums?.reduce(0, +) ?? 0) > 0 })
    }

    @Test("a corrupt or truncated segment is an error, never a crash")
    func corruptSegment() throws {
        let directory = try temporaryDirectory("corrupt")
        let writer = try IndexWriter(directory: directory)
        writer.update(document("US1B2", title: "lithium battery"))
        try writer.commit()
        let path = (directory as NSString).appendingPathComponent("seg-1.seg")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: IndexError.self) { _ = try IndexSnapshot.open(directory: directory) }
    }
}

@Suite("Columns")
struct ColumnTests {
    @Test("dates, family ids, office, kind and type are kept per document")
    func columns() throws {
        let index = FixtureIndex.shared
        let (segment, doc) = try #require(index.snapshot.locate("US11147202B2"))
        let s = index.snapshot.segments[segment]
        #expect(s.columns.value(doc, .publicationDate) == 20211019)
        #expect(s.columns.value(doc, .applicationDate) == 20181226)
        #expect(Column.unpack(s.columns.value(doc, .office)) == "US")
        #expect(Column.unpack(s.columns.value(doc, .kind)) == "B2")
        #expect(Column.unpack(s.columns.value(doc, .patentType)) == "B")
        let (familySegment, familyDoc) = try #require(index.snapshot.locate("EP2906782A2"))
        let family = index.snapshot.segments[familySegment].columns.value(familyDoc, .inpadocFamily)
        #expect(family > 0)
        #expect(try index.matches("IFAM_ID:\(family)").count == 11)
    }
}
