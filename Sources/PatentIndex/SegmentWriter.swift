import Foundation
import PatentAnalysis

/// Builds one immutable segment in memory (its postings, positions, structures, columns)
/// and streams it to its two files (layout in `Segment`'s doc comment).
public final class SegmentWriter {
    /// A term's postings while the segment is built: documents and frequencies, and for
    /// a positional surface form its field positions already varint-encoded per document
    /// (first absolute, then deltas).
    struct TermPostings {
        var docs: [Int32] = []
        var frequencies: [Int32] = []
        var positions: [UInt8] = []
        var lastPosition = 0

        /// Counts an occurrence in `doc` (documents arrive in order); returns the bytes added.
        @inline(__always)
        mutating func count(_ doc: Int32) -> Int {
            if docs.last == doc {
                frequencies[frequencies.count - 1] += 1
                return 0
            }
            docs.append(doc)
            frequencies.append(1)
            return 8
        }

        /// Adds an occurrence at field position `position`; returns the bytes added.
        mutating func add(position: Int, doc: Int32) -> Int {
            let before = positions.count
            let added = count(doc)
            var v = UInt64(added > 0 ? position : position - lastPosition)
            while v >= 0x80 {
                positions.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            positions.append(UInt8(v))
            lastPosition = position
            return added + positions.count - before
        }
    }

    /// Per dictionary: term → index into its postings list (one hash lookup per token).
    final class TermTable {
        var index: [String: Int] = [:]
        var terms: [String] = []
        var postings: [TermPostings] = []
        /// In a text field's table: each term's slot in the stem table (−1: not a Latin
        /// word, so never stemmed). A term's stem depends only on its text, so it is
        /// computed once, when the term first appears.
        var stemSlots: [Int32] = []
        /// What the table holds, in bytes: terms with their hash entry and postings
        /// header, 8 per (term, document), the encoded positions.
        var bytes = 0

        @inline(__always)
        func slot(_ term: String) -> (slot: Int, isNew: Bool) {
            if let i = index[term] { return (i, false) }
            index[term] = terms.count
            terms.append(term)
            postings.append(TermPostings())
            bytes += term.utf8.count + Self.termOverhead
            return (terms.count - 1, true)
        }

        /// A String, a hash-table entry and a `TermPostings` (three arrays and a counter).
        static let termOverhead = 150
    }

    private var pns: [String] = []
    private var dates: [[Int32]] = []
    private var norms: [[UInt32]] = []
    /// Per positional field (by raw value): each document's encoded structure, and where
    /// each document's bytes end.
    private var structures: [[UInt8]] = Array(repeating: [], count: IndexField.allCases.count)
    private var structureEnds: [[Int]] = Array(repeating: [], count: IndexField.allCases.count)

    /// Bytes the segment holds in memory so far (an estimate that counts what grows: it
    /// takes arrays' spare capacity as half again their contents). The indexer commits
    /// a segment when this reaches its memory budget.
    public var estimatedBytes: Int {
        (dictionaries.reduce(0) { $0 + $1.bytes } + structures.reduce(0) { $0 + $1.count }) * 3 / 2
            + pns.count * Self.documentOverhead
    }

    /// A PN, its columns and norms, and a structure end per positional field.
    static let documentOverhead = 48 + 4 * Column.allCases.count + 4 * IndexField.textFields.count
        + 8 * IndexField.allCases.count

    private let dictionaries: [TermTable] = (0..<Segment.dictionaryCount).map { _ in TermTable() }

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
            let raw = Int(field.rawValue)
            if let values = document.values[field] {
                let normSlot = Segment.normSlots[raw]
                if normSlot >= 0 { docNorms[normSlot] = UInt32(clamping: values.reduce(0) { $0 + $1.count }) }
                invert(values, field: field, doc: doc)
                var structure = ByteWriter()
                FieldStructure.encode(values: values.map { $0.map { ($0.sentence, $0.paragraph) } }, into: &structure)
                structures[raw].append(contentsOf: structure.bytes)
            }
            structureEnds[raw].append(structures[raw].count)
        }
        for (field, terms) in document.keywords {
            let table = dictionaries[Segment.dictionaryID(field, stemmed: false)]
            for term in Set(terms) {
                let i = table.slot(term).slot
                table.bytes += table.postings[i].count(doc)
            }
        }
        norms.append(docNorms)
        return Int(doc)
    }

    /// Records a field's tokens: positions run across its values, each value starting
    /// `FieldStructure.valueGap` after the previous one ends.
    private func invert(_ values: [[AnalyzedToken]], field: IndexField, doc: Int32) {
        let surface = dictionaries[Segment.dictionaryID(field, stemmed: false)]
        let stems = dictionaries[Segment.dictionaryID(field, stemmed: true)]
        let stemmed = field.kind == .text
        var valueStart = 0
        for tokens in values {
            for token in tokens {
                let (i, isNew) = surface.slot(token.text)
                if isNew {
                    surface.stemSlots.append(stemmed && token.isLatin ? Int32(stems.slot(Stemming.stem(token.text)).slot) : -1)
                }
                surface.bytes += surface.postings[i].add(position: valueStart + token.position, doc: doc)
                let stem = Int(surface.stemSlots[i])
                if stem >= 0 { stems.bytes += stems.postings[stem].count(doc) }
            }
            valueStart += tokens.count + FieldStructure.valueGap
        }
    }

    /// Streams the segment to `path` (and its positions beside it) and flushes both to disk.
    public func write(to path: String) throws {
        var positions = try DurableFileWriter(path: Segment.positionsPath(path))
        var out = try DurableFileWriter(path: path)
        SegmentLayout.startPositions(&positions)
        out.append(Array(Segment.magic.utf8))
        out.align(to: 8)
        let postingsStart = out.count
        var encoded = ByteWriter()
        var offsets: [Int?] = []
        // The sorted term number of each surface slot, for the stem dictionary that follows.
        var surfaceNumbers: [Int] = []
        for id in 0..<Segment.dictionaryCount {
            let table = dictionaries[id]
            guard !table.terms.isEmpty else { offsets.append(nil); continue }
            let field = Segment.field(of: id)
            let stemmed = id % 2 == 1
            let keys = table.terms.map { Array($0.utf8) }
            let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
            var forms: [[UInt32]] = []
            if stemmed {
                forms = Array(repeating: [], count: table.terms.count)
                let surface = dictionaries[id - 1]
                for (slot, stem) in surface.stemSlots.enumerated() where stem >= 0 {
                    forms[Int(stem)].append(UInt32(surfaceNumbers[slot]))
                }
            } else {
                surfaceNumbers = Array(repeating: 0, count: table.terms.count)
                for (number, slot) in order.enumerated() { surfaceNumbers[slot] = number }
            }
            let layout = Segment.layout(field, stemmed: stemmed)
            let normSlot = Segment.normSlots[Int(field.rawValue)]
            var encoder = PostingsEncoder(layout)
            var terms = SegmentLayout.Terms()
            for slot in order {
                let entry = table.postings[slot]
                var at = 0
                for (doc, frequency) in zip(entry.docs, entry.frequencies) {
                    let start = at
                    if layout.positions { at = Self.skip(Int(frequency), varintsIn: entry.positions, from: at) }
                    encoder.add(doc: doc, frequency: Int(frequency), positionBytes: at - start,
                                norm: normSlot >= 0 ? norms[Int(doc)][normSlot] : 0)
                }
                terms.add(keys[slot], postings: UInt64(out.count - postingsStart),
                          positions: layout.positions ? UInt64(positions.count) : nil, frequency: UInt32(entry.docs.count))
                if stemmed { terms.addVariants(forms[slot].sorted()) }
                encoder.write(into: &out)
                if layout.positions { positions.append(entry.positions) }
            }
            encoded.align(to: 8)
            offsets.append(encoded.count)
            SegmentLayout.writeDictionary(into: &encoded, terms)
        }
        encoded.align(to: 8)
        let documents = SegmentLayout.Documents(
            count: pns.count, pn: { self.pns[$0] }, column: { self.dates[$0][$1.rawValue] }, norm: { self.norms[$0][$1] },
            structuredFields: IndexField.allCases.filter { !structures[Int($0.rawValue)].isEmpty },
            structureLength: { doc, field in self.structureRange(doc, field).count },
            appendStructure: { doc, field, out in
                let range = self.structureRange(doc, field)
                self.structures[Int(field.rawValue)].withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[range])) }
            })
        try SegmentLayout.finishPositions(&positions)
        try positions.finish()
        try SegmentLayout.finish(into: &out, postingsStart: postingsStart, documents: documents, encoded: [encoded.bytes], offsets: offsets)
        try out.finish()
    }

    private func structureRange(_ doc: Int, _ field: IndexField) -> Range<Int> {
        let ends = structureEnds[Int(field.rawValue)]
        return (doc == 0 ? 0 : ends[doc - 1])..<ends[doc]
    }

    /// The offset after `count` varints starting at `offset`.
    private static func skip(_ count: Int, varintsIn bytes: [UInt8], from offset: Int) -> Int {
        var left = count
        var at = offset
        while left > 0 {
            if bytes[at] < 0x80 { left -= 1 }
            at += 1
        }
        return at
    }
}
