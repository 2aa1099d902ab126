import Foundation
import PatentAnalysis

/// Builds one immutable segment in memory and writes it as a single file.
///
/// Layout (little-endian, sections 8-byte aligned):
///
///     "PSEG0003"
///     docs:        count, PN offsets + bytes, integer columns, BM25 length norms per text field
///     dictionaries (one per field, and per text field a stemmed twin):
///                  term count, term offsets + bytes, postings offsets, document frequencies,
///                  term numbers in reversed-term order (for leading wildcards)
///     postings:    per term: varint length of the document block, then
///                  documents  (varint doc delta, varint frequency) …
///                  positions  per occurrence (varint value, then varint deltas of position,
///                             sentence and paragraph within the value) — positional fields only
///     footer:      section offsets, "PSEGEND1"
public final class SegmentWriter {
    /// A term's postings while the segment is built: documents and frequencies, and the
    /// occurrences already varint-encoded (about 4 bytes each instead of 16).
    struct TermPostings {
        var docs: [Int32] = []
        var frequencies: [Int32] = []
        var positions: [UInt8] = []
        var lastValue: Int32 = -1
        var lastPosition: Int32 = 0
        var lastSentence: Int32 = 0
        var lastParagraph: Int32 = 0

        mutating func add(_ occurrence: Occurrence, doc: Int32) {
            if docs.last == doc {
                frequencies[frequencies.count - 1] += 1
            } else {
                docs.append(doc)
                frequencies.append(1)
                lastValue = -1
            }
            if occurrence.value != lastValue {
                lastValue = occurrence.value
                lastPosition = 0
                lastSentence = 0
                lastParagraph = 0
            }
            // Within a value positions, sentences and paragraphs never decrease: deltas.
            append(Int(occurrence.value))
            append(Int(occurrence.position - lastPosition))
            append(Int(occurrence.sentence - lastSentence))
            append(Int(occurrence.paragraph - lastParagraph))
            lastPosition = occurrence.position
            lastSentence = occurrence.sentence
            lastParagraph = occurrence.paragraph
        }

        private mutating func append(_ value: Int) {
            var v = UInt64(value)
            while v >= 0x80 {
                positions.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            positions.append(UInt8(v))
        }
    }

    private var pns: [String] = []
    private var dates: [[Int32]] = []
    private var norms: [[UInt32]] = []
    /// Per dictionary: term → index into its postings list (one hash lookup per token).
    final class TermTable {
        var index: [String: Int] = [:]
        var terms: [String] = []
        var postings: [TermPostings] = []

        func slot(_ term: String) -> Int {
            if let i = index[term] { return i }
            index[term] = terms.count
            terms.append(term)
            postings.append(TermPostings())
            return terms.count - 1
        }
    }

    private let dictionaries: [TermTable] = (0..<Segment.dictionaryCount).map { _ in TermTable() }
    private var stemCache: [String: String] = [:]

    public init() {}

    public var documentCount: Int { pns.count }

    /// Adds a document; its number in the segment is the count before the call.
    @discardableResult
    public func add(_ document: IndexDocument) -> Int {
        let doc = Int32(pns.count)
        pns.append(document.pn)
        dates.append(document.dates)
        var docNorms = Array(repeating: UInt32(0), count: IndexField.textFields.count)
        for field in IndexField.allCases where field.isPositional {
            guard let values = document.values[field] else { continue }
            let surface = Segment.dictionaryID(field, stemmed: false)
            let stemmed = Segment.dictionaryID(field, stemmed: true)
            for (valueIndex, tokens) in values.enumerated() {
                for token in tokens {
                    let occurrence = Occurrence(value: Int32(valueIndex), position: Int32(token.position),
                                                sentence: Int32(token.sentence), paragraph: Int32(token.paragraph))
                    record(token.text, occurrence, doc: doc, dictionary: surface)
                    if field.kind == .text, token.isLatin {
                        record(stem(token.text), occurrence, doc: doc, dictionary: stemmed)
                    }
                }
                if let textIndex = IndexField.textFields.firstIndex(of: field) {
                    docNorms[textIndex] += UInt32(tokens.count)
                }
            }
        }
        for (field, terms) in document.keywords {
            let table = dictionaries[Segment.dictionaryID(field, stemmed: false)]
            for term in Set(terms) {
                let i = table.slot(term)
                table.postings[i].docs.append(doc)
                table.postings[i].frequencies.append(1)
            }
        }
        norms.append(docNorms)
        return Int(doc)
    }

    /// Appends a document's stored values only (used by merging, which adds postings
    /// term by term afterwards).
    func addMetadata(pn: String, dates: [Int32], norms: [UInt32]) -> Int32 {
        pns.append(pn)
        self.dates.append(dates)
        self.norms.append(norms)
        return Int32(pns.count - 1)
    }

    /// Appends one document's postings of a term; documents must come in order.
    func appendPosting(dictionary: Int, term: String, doc: Int32, frequency: Int32, occurrences: [Occurrence]) {
        let table = dictionaries[dictionary]
        let i = table.slot(term)
        if occurrences.isEmpty {
            table.postings[i].docs.append(doc)
            table.postings[i].frequencies.append(frequency)
        } else {
            for occurrence in occurrences { table.postings[i].add(occurrence, doc: doc) }
        }
    }

    private func stem(_ word: String) -> String {
        if let cached = stemCache[word] { return cached }
        let value = Stemming.stem(word)
        stemCache[word] = value
        return value
    }

    private func record(_ term: String, _ occurrence: Occurrence, doc: Int32, dictionary: Int) {
        let table = dictionaries[dictionary]
        table.postings[table.slot(term)].add(occurrence, doc: doc)
    }

    /// The segment's bytes.
    func encode() -> [UInt8] {
        var out = ByteWriter()
        out.append(Array(Segment.magic.utf8))
        // Postings first (into their own buffer), so dictionaries can point into them.
        var postings = ByteWriter()
        var dictionaryBlobs: [[UInt8]?] = []
        for id in 0..<Segment.dictionaryCount {
            let table = dictionaries[id]
            guard !table.terms.isEmpty else { dictionaryBlobs.append(nil); continue }
            let positional = Segment.field(of: id).isPositional
            let keys = table.terms.map { Array($0.utf8) }
            let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
            let sorted = order.map { table.terms[$0] }
            var offsets: [UInt64] = []
            var frequencies: [UInt32] = []
            for termIndex in order {
                let entry = table.postings[termIndex]
                offsets.append(UInt64(postings.count))
                frequencies.append(UInt32(entry.docs.count))
                var docs = ByteWriter()
                var previous: Int32 = -1
                for (doc, frequency) in zip(entry.docs, entry.frequencies) {
                    docs.varint(Int(doc - previous))
                    docs.varint(Int(frequency))
                    previous = doc
                }
                postings.varint(docs.count)
                postings.append(docs.bytes)
                if positional { postings.append(entry.positions) }
            }
            dictionaryBlobs.append(encodeDictionary(sorted, offsets: offsets, frequencies: frequencies))
        }
        // Documents.
        out.align(to: 8)
        let docsOffset = out.count
        out.uint32(UInt32(pns.count))
        var pnBlob = ByteWriter()
        var pnOffsets: [UInt32] = []
        for pn in pns {
            pnOffsets.append(UInt32(pnBlob.count))
            pnBlob.string(pn)
        }
        for offset in pnOffsets { out.uint32(offset) }
        out.uint32(UInt32(pnBlob.count))
        out.append(pnBlob.bytes)
        out.align(to: 4)
        for column in Column.allCases { for row in dates { out.int32(row[column.rawValue]) } }
        for index in IndexField.textFields.indices { for row in norms { out.uint32(row[index]) } }
        // Dictionaries.
        var dictionaryOffsets: [UInt64] = []
        for blob in dictionaryBlobs {
            guard let blob else { dictionaryOffsets.append(0); continue }
            out.align(to: 8)
            dictionaryOffsets.append(UInt64(out.count))
            out.append(blob)
        }
        out.align(to: 8)
        let postingsOffset = out.count
        out.append(postings.bytes)
        out.align(to: 8)
        out.uint64(UInt64(docsOffset))
        out.uint64(UInt64(postingsOffset))
        for offset in dictionaryOffsets { out.uint64(offset) }
        out.append(Array(Segment.endMagic.utf8))
        return out.bytes
    }

    private func encodeDictionary(_ terms: [String], offsets: [UInt64], frequencies: [UInt32]) -> [UInt8] {
        var blob = ByteWriter()
        blob.uint32(UInt32(terms.count))
        var termBytes: [UInt8] = []
        var termOffsets: [UInt32] = []
        for term in terms {
            termOffsets.append(UInt32(termBytes.count))
            termBytes.append(contentsOf: term.utf8)
        }
        termOffsets.append(UInt32(termBytes.count))
        blob.uint32(UInt32(termBytes.count))
        for offset in termOffsets { blob.uint32(offset) }
        blob.append(termBytes)
        blob.align(to: 8)
        for offset in offsets { blob.uint64(offset) }
        for frequency in frequencies { blob.uint32(frequency) }
        let reversedKeys = terms.map { Array(String(String.UnicodeScalarView($0.unicodeScalars.reversed())).utf8) }
        let reversed = terms.indices.sorted { reversedKeys[$0].lexicographicallyPrecedes(reversedKeys[$1]) }
        for index in reversed { blob.uint32(UInt32(index)) }
        return blob.bytes
    }

    /// Writes the segment to `path` and flushes it to disk.
    public func write(to path: String) throws {
        try DurableFile.write(encode(), to: path)
    }
}
