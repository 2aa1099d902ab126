import Foundation
import PatentAnalysis

/// Builds one immutable segment in memory and streams it to its two files (layout in
/// `Segment`'s doc comment). Documents arrive one at a time: their tokens are logged as
/// term ids from byte-keyed hash tables (`PositionalFieldLog`, `KeywordFieldLog`), and the
/// postings are inverted from the logs when the segment is written. Stems are found then,
/// once per distinct Latin word, and their postings follow from their surface forms'.
public final class SegmentWriter {
    private var pns: [String] = []
    private var dates: [[Int32]] = []
    private var norms: [[UInt32]] = []

    /// Per field of `IndexField.textFields`, the sum of the documents' norms.
    var normSums: [Int] {
        IndexField.textFields.indices.map { slot in norms.reduce(0) { $0 + Int($1[slot]) } }
    }
    /// By field raw value: a log per positional field, a log per keyword field.
    private let positional: [PositionalFieldLog?] = IndexField.allCases.map {
        $0.isPositional ? PositionalFieldLog(wordPairs: $0.kind == .text) : nil
    }
    private let keyword: [KeywordFieldLog?] = IndexField.allCases.map { $0.isPositional ? nil : KeywordFieldLog() }

    /// Bytes the segment takes in memory until it is written: what it holds so far (an
    /// estimate of what grows) and what writing it needs besides — the inverted postings
    /// of one field at a time, the largest counted. The indexer commits a segment when
    /// this reaches its memory budget.
    public var estimatedBytes: Int {
        positional.reduce(0) { $0 + ($1?.memoryBytes ?? 0) } + keyword.reduce(0) { $0 + ($1?.memoryBytes ?? 0) }
            + pns.count * Self.documentOverhead + positional.reduce(0) { max($0, $1?.inversionBytes ?? 0) }
    }

    /// A PN, its columns and norms.
    static let documentOverhead = 48 + 4 * Column.allCases.count + 4 * IndexField.textFields.count

    public init() {}

    public var documentCount: Int { pns.count }

    /// Adds a document; its number in the segment is the count before the call.
    @discardableResult
    public func add(_ document: IndexDocument) -> Int {
        let doc = pns.count
        pns.append(document.pn)
        dates.append(document.dates)
        var docNorms = Array(repeating: UInt32(0), count: IndexField.textFields.count)
        for (raw, log) in positional.enumerated() {
            guard let log else { continue }
            let values = document.values[IndexField(rawValue: UInt8(raw))!] ?? []
            log.add(values)
            let normSlot = Columns.normSlots[raw]
            if normSlot >= 0 { docNorms[normSlot] = UInt32(clamping: values.reduce(0) { $0 + $1.count }) }
        }
        for (raw, log) in keyword.enumerated() {
            log?.add(document.keywords[IndexField(rawValue: UInt8(raw))!] ?? [])
        }
        norms.append(docNorms)
        return doc
    }

    /// Streams the segment as segment `id` of `directory` (its two files) and commits both.
    public func write(to directory: any IndexDirectory, id: Int) throws {
        var positions = try IndexOutput(directory, IndexManifest.positionsFile(id))
        var out = try IndexOutput(directory, IndexManifest.segmentFile(id))
        SegmentLayout.startPositions(&positions)
        out.append(Array(Segment.magic.utf8))
        out.align(to: 8)
        let postingsStart = out.count
        var encoded = ByteWriter()
        var offsets = [Int?](repeating: nil, count: Segment.dictionaryCount)
        func emit(_ field: IndexField, stemmed: Bool, _ terms: SegmentLayout.Terms) {
            guard terms.count > 0 else { return }
            encoded.align(to: 8)
            offsets[Segment.dictionaryID(field, stemmed: stemmed)] = encoded.count
            SegmentLayout.writeDictionary(into: &encoded, terms)
        }
        for field in IndexField.allCases {
            let raw = Int(field.rawValue)
            if let log = positional[raw] {
                let order = log.terms.sortedIDs()
                emit(field, stemmed: false, try writeTerms(field, stemmed: false, table: log.terms, order: order, log.invert(),
                                                       into: &out, postingsStart: postingsStart, positions: &positions))
                guard field.kind == .text else {
                    log.releaseTokens()
                    continue
                }
                // Stems: one per distinct Latin word; a stem's surface forms by their term numbers.
                let stems = TermHashTable()
                var stemOf = [Int32](repeating: -1, count: log.terms.count)
                for term in 0..<log.terms.count where log.latin[term] {
                    stemOf[term] = stems.id(Stemming.stem(log.terms.string(term))).id
                }
                var forms = [[UInt32]](repeating: [], count: stems.count)
                for (number, term) in order.enumerated() where stemOf[Int(term)] >= 0 {
                    forms[Int(stemOf[Int(term)])].append(UInt32(number))
                }
                emit(field, stemmed: true, try writeTerms(field, stemmed: true, table: stems, order: stems.sortedIDs(),
                                                      log.invertStems(stemOf, count: stems.count), forms: forms,
                                                      into: &out, postingsStart: postingsStart, positions: &positions))
                log.releaseTokens()
            } else if let log = keyword[raw] {
                emit(field, stemmed: false, try writeTerms(field, stemmed: false, table: log.terms, order: log.terms.sortedIDs(),
                                                       log.invert(), into: &out, postingsStart: postingsStart, positions: &positions))
            }
        }
        encoded.align(to: 8)
        let documents = SegmentLayout.Documents(
            count: pns.count, pn: { self.pns[$0] }, column: { self.dates[$0][$1.rawValue] }, norm: { self.norms[$0][$1] },
            structuredFields: IndexField.allCases.filter { positional[Int($0.rawValue)].map { $0.structure.count > 0 } ?? false },
            structureLength: { doc, field in self.positional[Int(field.rawValue)]!.structureRange(doc).count },
            appendStructure: { doc, field, out in
                let log = self.positional[Int(field.rawValue)]!
                let range = log.structureRange(doc)
                log.structure.bytes.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[range])) }
            },
            dateOrder: { emit in
                let keys = self.pns.map(PNKey.init)
                let dates = self.dates.map { $0[Column.publicationDate.rawValue] }
                let order = (0..<self.pns.count).sorted { a, b in
                    DateOrder.precedes(dates[a], keys[a], dates[b], keys[b]) { (self.pns[a], self.pns[b]) }
                }
                for doc in order { emit(UInt32(doc)) }
            })
        try SegmentLayout.finishPositions(&positions)
        try positions.finish()
        try SegmentLayout.finish(into: &out, postingsStart: postingsStart, documents: documents, encoded: [encoded.bytes], offsets: offsets)
        try out.finish()
    }

    /// Encodes one dictionary's postings term by term in `order` (and their positions)
    /// and returns its terms for the dictionary section.
    private func writeTerms(_ field: IndexField, stemmed: Bool, table: TermHashTable, order: [UInt32], _ inverted: InvertedTerms,
                            forms: [[UInt32]] = [], into out: inout IndexOutput, postingsStart: Int,
                            positions: inout IndexOutput) throws -> SegmentLayout.Terms {
        let layout = Segment.layout(field, stemmed: stemmed)
        let normSlot = Columns.normSlots[Int(field.rawValue)]
        var encoder = PostingsEncoder(layout)
        var terms = SegmentLayout.Terms()
        try inverted.positions.withUnsafeBytes { stream in
            for id in order {
                let term = Int(id)
                var at = layout.positions ? inverted.positionStarts[term] : 0
                for k in inverted.docStarts[term]..<inverted.docStarts[term + 1] {
                    let doc = inverted.docs[k], frequency = Int(inverted.frequencies[k])
                    let start = at
                    if layout.positions { at = try endOfVarints(frequency, in: stream, from: at) }
                    encoder.add(doc: doc, frequency: frequency, positionBytes: at - start,
                                norm: normSlot >= 0 ? norms[Int(doc)][normSlot] : 0)
                }
                let bytes = table.bytes[table.range(term)]
                terms.add(bytes, postings: UInt64(out.count - postingsStart), positions: layout.positions ? UInt64(positions.count) : nil,
                          frequency: UInt32(inverted.docStarts[term + 1] - inverted.docStarts[term]))
                if stemmed { terms.addVariants(forms[term]) }
                encoder.write(into: &out)
                if layout.positions {
                    positions.append(UnsafeRawBufferPointer(rebasing: stream[inverted.positionStarts[term]..<inverted.positionStarts[term + 1]]))
                }
            }
        }
        return terms
    }
}
