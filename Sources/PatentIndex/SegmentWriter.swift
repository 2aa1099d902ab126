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

        /// Adds an occurrence; returns the bytes it added (for the memory budget).
        mutating func add(_ occurrence: Occurrence, doc: Int32) -> Int {
            let before = positions.count
            var added = 0
            if docs.last == doc {
                frequencies[frequencies.count - 1] += 1
            } else {
                docs.append(doc)
                frequencies.append(1)
                lastValue = -1
                added = 8
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
            return added + positions.count - before
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
        /// What the table holds, in bytes: terms with their hash entry and postings
        /// header, 8 per (term, document), the encoded occurrences.
        var bytes = 0

        func slot(_ term: String) -> Int {
            if let i = index[term] { return i }
            index[term] = terms.count
            terms.append(term)
            postings.append(TermPostings())
            bytes += term.utf8.count + Self.termOverhead
            return terms.count - 1
        }

        /// A String, a hash-table entry and a `TermPostings` (three arrays and four counters).
        static let termOverhead = 160
    }

    /// Bytes the segment holds in memory so far (an estimate that counts what grows: it
    /// takes arrays' spare capacity as half again their contents). The indexer commits
    /// a segment when this reaches its memory budget.
    public var estimatedBytes: Int {
        dictionaries.reduce(0) { $0 + $1.bytes } * 3 / 2 + pns.count * Self.documentOverhead
    }

    /// A PN, its columns and norms.
    static let documentOverhead = 48 + 4 * Column.allCases.count + 4 * IndexField.textFields.count

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
                table.bytes += 8
            }
        }
        norms.append(docNorms)
        return Int(doc)
    }

    private func stem(_ word: String) -> String {
        if let cached = stemCache[word] { return cached }
        let value = Stemming.stem(word)
        stemCache[word] = value
        return value
    }

    private func record(_ term: String, _ occurrence: Occurrence, doc: Int32, dictionary: Int) {
        let table = dictionaries[dictionary]
        let i = table.slot(term)
        table.bytes += table.postings[i].add(occurrence, doc: doc)
    }

    /// The segment's bytes, streamed into `out`: postings term by term, then the
    /// documents, dictionaries and footer (`SegmentLayout`).
    func encode<Sink: ByteSink>(into out: inout Sink) {
        out.append(Array(Segment.magic.utf8))
        out.align(to: 8)
        let postingsStart = out.count
        var dictionaryTerms: [SegmentLayout.Terms?] = []
        for id in 0..<Segment.dictionaryCount {
            let table = dictionaries[id]
            guard !table.terms.isEmpty else { dictionaryTerms.append(nil); continue }
            let positional = Segment.field(of: id).isPositional
            let keys = table.terms.map { Array($0.utf8) }
            var terms = SegmentLayout.Terms()
            for termIndex in keys.indices.sorted(by: { keys[$0].lexicographicallyPrecedes(keys[$1]) }) {
                let entry = table.postings[termIndex]
                terms.add(keys[termIndex], postings: UInt64(out.count - postingsStart), frequency: UInt32(entry.docs.count))
                var docs = ByteWriter()
                var previous: Int32 = -1
                for (doc, frequency) in zip(entry.docs, entry.frequencies) {
                    docs.varint(Int(doc - previous))
                    docs.varint(Int(frequency))
                    previous = doc
                }
                out.varint(docs.count)
                out.append(docs.bytes)
                if positional { out.append(entry.positions) }
            }
            dictionaryTerms.append(terms)
        }
        let documents = SegmentLayout.Documents(count: pns.count, pn: { self.pns[$0] }, column: { self.dates[$0][$1.rawValue] },
                                                norm: { self.norms[$0][$1] })
        SegmentLayout.finish(into: &out, postingsStart: postingsStart, documents: documents, dictionaries: dictionaryTerms)
    }

    /// Streams the segment to `path` and flushes it to disk.
    public func write(to path: String) throws {
        var out = try DurableFileWriter(path: path)
        encode(into: &out)
        try out.finish()
    }
}
