import Foundation
import PatentAnalysis

/// Builds one immutable segment in memory and writes it as a single file.
///
/// Layout (little-endian, sections 8-byte aligned):
///
///     "PSEG0001"
///     docs:        count, PN offsets + bytes, date columns, BM25 length norms per text field
///     dictionaries (one per field, and per text field a stemmed twin):
///                  term count, term offsets + bytes, postings offsets, document frequencies,
///                  term numbers in reversed-term order (for leading wildcards)
///     postings:    per term: varint length of the document block, then
///                  documents  (varint doc delta, varint frequency) …
///                  positions  per occurrence (varint value, varint position delta within
///                             the value, varint sentence, varint paragraph) — positional fields only
///     footer:      section offsets, "PSEGEND1"
public final class SegmentWriter {
    struct TermPostings {
        var docs: [Int32] = []
        var frequencies: [Int32] = []
        var occurrences: [Occurrence] = []
    }

    private var pns: [String] = []
    private var dates: [[Int32]] = []
    private var norms: [[UInt32]] = []
    private var dictionaries: [[String: TermPostings]] = Array(repeating: [:], count: Segment.dictionaryCount)
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
            let dictionary = Segment.dictionaryID(field, stemmed: false)
            for term in Set(terms) {
                dictionaries[dictionary][term, default: TermPostings()].docs.append(doc)
                dictionaries[dictionary][term]!.frequencies.append(1)
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
        dictionaries[dictionary][term, default: TermPostings()].docs.append(doc)
        dictionaries[dictionary][term]!.frequencies.append(frequency)
        dictionaries[dictionary][term]!.occurrences.append(contentsOf: occurrences)
    }

    private func stem(_ word: String) -> String {
        if let cached = stemCache[word] { return cached }
        let value = Stemming.stem(word)
        stemCache[word] = value
        return value
    }

    private func record(_ term: String, _ occurrence: Occurrence, doc: Int32, dictionary: Int) {
        var postings = dictionaries[dictionary].removeValue(forKey: term) ?? TermPostings()
        if postings.docs.last == doc {
            postings.frequencies[postings.frequencies.count - 1] += 1
        } else {
            postings.docs.append(doc)
            postings.frequencies.append(1)
        }
        postings.occurrences.append(occurrence)
        dictionaries[dictionary][term] = postings
    }

    /// The segment's bytes.
    func encode() -> [UInt8] {
        var out = ByteWriter()
        out.append(Array(Segment.magic.utf8))
        // Postings first (into their own buffer), so dictionaries can point into them.
        var postings = ByteWriter()
        var dictionaryBlobs: [[UInt8]?] = []
        for id in 0..<Segment.dictionaryCount {
            let terms = dictionaries[id]
            guard !terms.isEmpty else { dictionaryBlobs.append(nil); continue }
            let positional = Segment.field(of: id).isPositional
            let sorted = terms.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            var offsets: [UInt64] = []
            var frequencies: [UInt32] = []
            for term in sorted {
                let entry = terms[term]!
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
                if positional {
                    var lastValue: Int32 = -1
                    var lastPosition: Int32 = 0
                    var occurrenceIndex = 0
                    for frequency in entry.frequencies {
                        lastValue = -1
                        for _ in 0..<Int(frequency) {
                            let o = entry.occurrences[occurrenceIndex]
                            occurrenceIndex += 1
                            if o.value != lastValue { lastPosition = 0; lastValue = o.value }
                            postings.varint(Int(o.value))
                            postings.varint(Int(o.position - lastPosition))
                            postings.varint(Int(o.sentence))
                            postings.varint(Int(o.paragraph))
                            lastPosition = o.position
                        }
                    }
                }
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
        for column in DateColumn.allCases { for row in dates { out.int32(row[column.rawValue]) } }
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
        let reversed = terms.indices.sorted {
            Array(terms[$0].unicodeScalars.reversed().map(String.init).joined().utf8)
                .lexicographicallyPrecedes(Array(terms[$1].unicodeScalars.reversed().map(String.init).joined().utf8))
        }
        for index in reversed { blob.uint32(UInt32(index)) }
        return blob.bytes
    }

    /// Writes the segment to `path` and flushes it to disk.
    public func write(to path: String) throws {
        try DurableFile.write(encode(), to: path)
    }
}
