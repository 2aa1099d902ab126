import Foundation
import PatentAnalysis
import PatentCorpus
@testable import PatentIndex
import PatentIngest
import PatentModel
import PatentStore
import PatentTestSupport
import Testing

/// The on-disk format piece by piece: bit-packed blocks, the postings layout at every
/// block boundary, positions placed by the field structure, checksums, and the upgrade
/// from an earlier format.
@Suite("Segment format")
struct SegmentFormatTests {
    @Test("a block packs to 16·width bytes and unpacks to the same values, at every width")
    func bitPackingRoundTrips() throws {
        var random = SplitMix64(state: 1)
        for width in 0...32 {
            let mask: UInt32 = width == 32 ? .max : (1 << UInt32(width)) - 1
            var values = (0..<128).map { _ in UInt32(truncatingIfNeeded: random.next()) & mask }
            values[Int(random.next() % 128)] = mask
            var out = ByteWriter()
            values.withUnsafeBufferPointer { buffer in
                #expect(BitPacking.width(buffer) == width)
                BitPacking.pack(buffer, width: width, into: &out)
            }
            #expect(out.count == 16 * width)
            var decoded = [UInt32](repeating: 7, count: 128)
            let end = try out.bytes.withUnsafeBytes { bytes in
                try decoded.withUnsafeMutableBufferPointer { try BitPacking.unpack(bytes, at: 0, width: width, into: $0.baseAddress!) }
            }
            #expect(end == out.count && decoded == values, "width \(width)")
            // With bytes after the block (the usual case inside a segment) the word-at-a-time
            // path reads it, at an odd offset too.
            let padded = [UInt8](repeating: 0xA5, count: 3) + out.bytes + [UInt8](repeating: 0xFF, count: 9)
            decoded = [UInt32](repeating: 7, count: 128)
            let paddedEnd = try padded.withUnsafeBytes { bytes in
                try decoded.withUnsafeMutableBufferPointer { try BitPacking.unpack(bytes, at: 3, width: width, into: $0.baseAddress!) }
            }
            #expect(paddedEnd == 3 + out.count && decoded == values, "width \(width), followed by other bytes")
            if width > 0 {
                #expect(throws: IndexError.self, "a cut block is an error") {
                    try Array(out.bytes.dropLast()).withUnsafeBytes { bytes in
                        try decoded.withUnsafeMutableBufferPointer { try BitPacking.unpack(bytes, at: 0, width: width, into: $0.baseAddress!) }
                    }
                }
            }
        }
    }

    @Test("columns and norms read back exactly; each text field's norms take the narrowest width that holds them",
          arguments: [0, 1, 3, 4, 5, 1_001])
    func columnsRoundTrip(documents: Int) throws {
        var random = SplitMix64(state: UInt64(documents))
        let fields = IndexField.textFields.count
        // Field i's longest norm (the last document's): one byte's largest value, two bytes',
        // or past them, in turn.
        let limits: [UInt32] = [UInt32(UInt8.max), UInt32(UInt16.max), 1 << 20]
        let norms = (0..<documents).map { _ in (0..<fields).map { UInt32(random.next() % UInt64(limits[$0 % 3] + 1)) } }
        let values = (0..<documents).map { _ in Column.allCases.map { _ in Int32(truncatingIfNeeded: random.next()) } }
        var out = ByteWriter()
        out.byte(0xEE)  // The columns start aligned after whatever precedes them.
        Columns.write(into: &out, count: documents, column: { values[$0][$1.rawValue] },
                      norm: { doc, index in documents > 0 && doc == documents - 1 ? limits[index % 3] : norms[doc][index] })
        try out.bytes.withUnsafeBytes { bytes in
            let columns = try Columns(bytes, at: 4, documents: documents)
            #expect(columns.end == bytes.count)
            for (index, field) in IndexField.textFields.enumerated() {
                let expectedWidth = documents == 0 ? 1 : [1, 2, 4][index % 3]
                #expect(columns.norms(field).width == expectedWidth, "\(field)")
                for doc in 0..<documents {
                    let expected = doc == documents - 1 ? limits[index % 3] : norms[doc][index]
                    #expect(columns.norm(doc, field) == Int(expected), "\(field) document \(doc)")
                }
            }
            for doc in 0..<documents {
                for column in Column.allCases { #expect(columns.value(doc, column) == values[doc][column.rawValue]) }
            }
        }
        // A width other than 1, 2 or 4 is a damaged file.
        var damaged = out.bytes
        let widthAt = 4 + 4 * documents * Column.allCases.count
        damaged[widthAt] = 3
        damaged.withUnsafeBytes { bytes in
            #expect(throws: IndexError.self) { try Columns(bytes, at: 4, documents: documents) }
        }
    }

    @Test("document lists of every length around the block size read back exactly, one encoder reused",
          arguments: [true, false])
    func postingsRoundTrip(frequencies: Bool) throws {
        var random = SplitMix64(state: frequencies ? 2 : 3)
        let layout = PostingsEncoder.Layout(frequencies: frequencies, positions: false, norms: frequencies)
        var encoder = PostingsEncoder(layout)
        var out = ByteWriter()
        var terms: [(offset: Int, docs: [Int32], frequencies: [Int])] = []
        for count in [1, 2, 127, 128, 129, 255, 256, 257, 1_000, 0, 3] {
            var docs: [Int32] = []
            var doc: Int32 = -1
            for _ in 0..<count {
                // Mostly dense, sometimes a gap needing many bits.
                doc += random.next() % 5 == 0 ? Int32(1 + random.next() % 1_000_000) : Int32(1 + random.next() % 3)
                docs.append(doc)
            }
            let counts = docs.map { _ in frequencies ? Int(random.next() % 4 == 0 ? 1 + random.next() % 70_000 : 1 + random.next() % 3) : 1 }
            let offset = out.count
            for (doc, frequency) in zip(docs, counts) { encoder.add(doc: doc, frequency: frequency, norm: UInt32(random.next() % 500)) }
            encoder.write(into: &out)
            terms.append((offset, docs, counts))
        }
        try out.bytes.withUnsafeBytes { bytes in
            for term in terms {
                var cursor = PostingsCursor(bytes, at: term.offset, count: term.docs.count, layout: layout,
                                            positions: ByteReader(bytes, at: bytes.count), structure: nil)
                var docs: [Int32] = []
                var counts: [Int] = []
                while try cursor.next() {
                    docs.append(Int32(cursor.doc))
                    counts.append(cursor.frequency)
                }
                #expect(docs == term.docs, "\(term.docs.count) documents")
                #expect(counts == term.frequencies, "\(term.docs.count) frequencies")
            }
        }
    }

    @Test("advance(to:) lands where stepping lands, jumping blocks by the skip entries", arguments: [true, false])
    func advanceMatchesStepping(frequencies: Bool) throws {
        var random = SplitMix64(state: frequencies ? 5 : 7)
        let layout = PostingsEncoder.Layout(frequencies: frequencies, positions: false, norms: frequencies)
        var encoder = PostingsEncoder(layout)
        var out = ByteWriter()
        var terms: [(offset: Int, docs: [Int], frequencies: [Int])] = []
        for count in [1, 127, 128, 129, 300, 5_000] {
            var docs: [Int] = []
            var doc = -1
            for _ in 0..<count {
                doc += random.next() % 7 == 0 ? Int(1 + random.next() % 5_000) : Int(1 + random.next() % 3)
                docs.append(doc)
            }
            let counts = docs.map { _ in frequencies ? Int(1 + random.next() % 9) : 1 }
            let offset = out.count
            for (doc, frequency) in zip(docs, counts) { encoder.add(doc: Int32(doc), frequency: frequency, norm: 1) }
            encoder.write(into: &out)
            terms.append((offset, docs, counts))
        }
        try out.bytes.withUnsafeBytes { bytes in
            for term in terms {
                for round in 0..<20 {
                    var cursor = PostingsCursor(bytes, at: term.offset, count: term.docs.count, layout: layout,
                                                positions: ByteReader(bytes, at: bytes.count), structure: nil)
                    var target = -1
                    var steps = 0
                    // Small and large strides, and sometimes a plain next() in between.
                    while steps < 400 {
                        steps += 1
                        if round % 2 == 1, random.next() % 3 == 0 {
                            let before = cursor.doc
                            guard try cursor.next() else {
                                #expect(before == term.docs.last, "next() ends after the last document")
                                break
                            }
                            let index = try #require(term.docs.firstIndex { $0 > before })
                            #expect(cursor.doc == term.docs[index] && cursor.frequency == term.frequencies[index])
                            target = cursor.doc
                            continue
                        }
                        target += Int(1 + random.next() % (round < 10 ? 40 : 4_000))
                        let wanted = max(target, cursor.doc)
                        let found = try cursor.advance(to: wanted)
                        guard let index = term.docs.firstIndex(where: { $0 >= wanted }) else {
                            #expect(!found, "\(term.docs.count) documents: nothing at or after \(wanted)")
                            break
                        }
                        #expect(found && cursor.doc == term.docs[index] && cursor.frequency == term.frequencies[index],
                                "\(term.docs.count) documents, target \(wanted)")
                        target = cursor.doc
                    }
                }
            }
        }
    }

    @Test("after a jump over blocks, a document's positions are its own")
    func advanceKeepsPositions() throws {
        let writer = SegmentWriter()
        var expected: [Int: [Int32]] = [:]
        for doc in 0..<1_500 {
            // "alpha" in most documents, at a position that depends on the document.
            let filler = Array(repeating: "beta", count: doc % 5)
            let words = doc % 4 == 3 ? ["gamma"] : filler + ["alpha", "delta", "alpha"]
            var patent = Patent(publication: PublicationNumber(parsing: "US\(1_000_000 + doc)B1")!)
            patent.titles = [LocalizedText(language: "en", text: words.joined(separator: " "))]
            writer.add(IndexDocument(patent))
            if doc % 4 != 3 { expected[doc] = [Int32(filler.count), Int32(filler.count + 2)] }
        }
        let directory = MemoryDirectory()
        try writer.write(to: directory, id: 1)
        let segment = try Segment(directory: directory, id: 1)
        let dictionary = try #require(segment.dictionary(.title))
        let term = try #require(dictionary.find("alpha"))
        for stride in [1, 3, 130, 400, 1_100] {
            var cursor = dictionary.postings(term, positional: true)
            var target = 0
            var checked = 0
            while try cursor.advance(to: target) {
                var positions: [Int32] = []
                try cursor.positions(appendingTo: &positions)
                #expect(positions == expected[cursor.doc], "document \(cursor.doc), stride \(stride)")
                checked += 1
                target = cursor.doc + stride
            }
            // The documents a stepping walk visits with the same stride.
            var visits = 0
            var at = 0
            for doc in expected.keys.sorted() where doc >= at {
                visits += 1
                at = doc + stride
            }
            #expect(checked == visits, "stride \(stride)")
        }
    }

    /// Occurrences come back as analysis gave them (value, position, sentence, paragraph)
    /// through the field positions and structure; a stem's are the union of its surface
    /// forms', in order.
    @Test("occurrences are placed back in their value, sentence and paragraph; stems gather their surface forms")
    func occurrencesRoundTrip() throws {
        var patent = Patent(publication: PublicationNumber(parsing: "US1B2")!)
        patent.claims = [ClaimSet(language: "en", claims: [
            Claim(number: 1, text: "A battery cell. The cells are connected.\nConnecting them charges batteries.", refersTo: []),
            Claim(number: 2, text: "The cell of claim 1. Charged cells connect.", refersTo: [1]),
        ])]
        patent.applicants = [Party(name: "Cell Works Ltd"), Party(name: "Battery Cell Co")]
        patent.titles = [LocalizedText(language: "en", text: "Battery"), LocalizedText(language: "de", text: "Batterie. Zelle"),
                         LocalizedText(language: "fr", text: "Batterie cellule")]
        let (checkedFields, segment) = try occurrencesRoundTrip(patent)
        #expect(checkedFields >= 5, "claims, independent claims, title, its translations, applicants")
        #expect(try segment.structure(.applicants)?.encoded(0).isEmpty == true, "a document without the field has no structure")
    }

    /// Writes `patent` (after an empty document) as a segment and checks every term's
    /// occurrences, plain and stemmed, against the analysed values; returns the fields
    /// checked and the segment.
    private func occurrencesRoundTrip(_ patent: Patent) throws -> (Int, Segment) {
        let document = IndexDocument(patent)
        let writer = SegmentWriter()
        writer.add(IndexDocument(Patent(publication: PublicationNumber(parsing: "US0B1")!)))
        writer.add(document)
        let directory = MemoryDirectory()
        try writer.write(to: directory, id: 1)
        let segment = try Segment(directory: directory, id: 1)
        var checkedFields = 0
        for (field, values) in document.values {
            var expected: [String: [Occurrence]] = [:]
            var stems: [String: [Occurrence]] = [:]
            for (v, tokens) in values.enumerated() {
                for token in tokens.analyzed {
                    let occurrence = Occurrence(value: Int32(v), position: Int32(token.position), sentence: Int32(token.sentence),
                                                paragraph: Int32(token.paragraph))
                    expected[token.text, default: []].append(occurrence)
                    if field.kind == .text, token.isLatin { stems[Stemming.stem(token.text), default: []].append(occurrence) }
                }
            }
            for (stemmed, wanted) in [(false, expected), (true, stems)] where !wanted.isEmpty {
                let dictionary = try #require(segment.dictionary(field, stemmed: stemmed))
                #expect(dictionary.count == wanted.count)
                for (term, occurrences) in wanted {
                    var cursor = dictionary.postings(try #require(dictionary.find(term)), positional: true)
                    #expect(try cursor.next() && cursor.doc == 1 && cursor.frequency == occurrences.count)
                    #expect(try cursor.occurrences() == occurrences, "\(field) \(stemmed ? "stem" : "term") \(term)")
                    #expect(try !cursor.next())
                }
            }
            checkedFields += 1
        }
        return (checkedFields, segment)
    }

    @Test("a value over 65,535 tokens keeps its sentences and paragraphs (4-byte starts)")
    func longValue() throws {
        var patent = Patent(publication: PublicationNumber(parsing: "US2B2")!)
        // 7,000 sentences of ten words, a paragraph every 100 sentences; rare words mark a few.
        let sentences = (0..<7_000).map { i in
            let marker = [0, 3_499, 6_999].contains(i) ? "zeta" : "theta"
            return "Alpha beta gamma delta epsilon \(marker) eta iota kappa lambda." + (i % 100 == 99 ? "\n" : " ")
        }
        patent.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: sentences.joined(), refersTo: [])])]
        let (checked, segment) = try occurrencesRoundTrip(patent)
        #expect(checked >= 1)
        let dictionary = try #require(segment.dictionary(.claims))
        var cursor = dictionary.postings(try #require(dictionary.find("zeta")), positional: true)
        #expect(try cursor.next())
        let found = try cursor.occurrences()
        #expect(found.map(\.sentence) == [0, 3_499, 6_999] && found.map(\.paragraph) == [0, 34, 69])
        #expect(found.last?.position == Int32(6_999 * 10 + 5))
    }

    /// Every byte of both files is covered: a flipped byte anywhere is an error naming the
    /// file (when opening, or when verifying the checksums), and inside the checksummed
    /// body it says how to rebuild.
    @Test("a byte flipped anywhere in a segment's files is an error naming the file, never a crash or an answer")
    func flippedBytesAreDetected() throws {
        let source = try temporaryDirectory("checksum-source")
        let writer = try IndexWriter(directory: source)
        for (i, title) in ["lithium battery", "solar cell array", "battery charging circuit"].enumerated() {
            var patent = Patent(publication: PublicationNumber(parsing: "US\(i + 1)B2")!)
            patent.titles = [LocalizedText(language: "en", text: title)]
            patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: ["A \(title). It stores energy.", "Second paragraph."])]
            writer.update(IndexDocument(patent))
        }
        try writer.commit()
        var flips = 0
        for name in ["seg-1.seg", "seg-1.pos"] {
            let original = try Data(contentsOf: URL(fileURLWithPath: (source as NSString).appendingPathComponent(name)))
            let body = original.count - (name.hasSuffix(".seg") ? 16 : 12)
            for offset in Set([0, 9, body / 3, body / 2, body - 1, body + 1, original.count - 1]) {
                let copy = try temporaryDirectory("checksum-flip")
                for file in try FileManager.default.contentsOfDirectory(atPath: source) {
                    try FileManager.default.copyItem(atPath: (source as NSString).appendingPathComponent(file),
                                                     toPath: (copy as NSString).appendingPathComponent(file))
                }
                var damaged = original
                damaged[offset] ^= 0x20
                try damaged.write(to: URL(fileURLWithPath: (copy as NSString).appendingPathComponent(name)))
                do {
                    // Opening checks marks and bounds; the checksums find the rest.
                    try IndexSnapshot.open(directory: copy).verifyChecksums()
                    Issue.record("\(name) flipped at \(offset) passed")
                } catch let error as IndexError {
                    #expect(error.description.contains(name), "\(error)")
                    if offset >= 8, offset < body {
                        #expect(error.description.contains("patents index --rebuild"), "\(error)")
                    }
                }
                flips += 1
            }
        }
        #expect(flips >= 12)
    }

    @Test("an index in an earlier format is never read: `patents index` rebuilds it from the store; --rebuild starts over")
    func anEarlierFormatIsRebuilt() throws {
        let store = FixtureIndex.shared.store
        let patents = try store.count()
        let directory = try temporaryDirectory("old-format")
        let manifest = #"{"generation": 3, "storeRevision": 999999, "nextSegment": 2, "segments": [{"id": 1, "documents": 2, "deleted": 0}]}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("manifest.json")))
        try Data("PSEG0003 old bytes".utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("seg-1.seg")))
        #expect(throws: IndexError.oldFormat) { _ = try IndexSnapshot.open(directory: directory) }
        #expect(IndexWriter.isOldFormat(directory))

        let report = try IndexUpdater(store: store, directory: directory).update()
        #expect(report.rebuilt && report.indexed == patents, "every patent again, though the old manifest claimed revision 999999")
        let snapshot = try IndexSnapshot.open(directory: directory)
        #expect(snapshot.liveDocuments == FixtureIndex.shared.snapshot.liveDocuments)
        #expect(!FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("seg-1.seg"))
                || snapshot.manifest.segments.contains { $0.id == 1 })

        #expect(try IndexUpdater(store: store, directory: directory).update().indexed == 0, "up to date")
        var again = IndexUpdater(store: store, directory: directory)
        again.rebuild = true
        let rebuilt = try again.update()
        #expect(rebuilt.rebuilt && rebuilt.indexed == patents)
        #expect(try IndexSnapshot.open(directory: directory).liveDocuments == snapshot.liveDocuments)
    }
}
