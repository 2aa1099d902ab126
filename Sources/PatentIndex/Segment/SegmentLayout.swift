import Foundation

/// The sections of a segment file after its postings (layout in `SegmentWriter`'s doc
/// comment), written by the builder and by the streaming merge alike.
enum SegmentLayout {
    /// One dictionary as it is written: terms in byte order, where each term's postings
    /// start (relative to the postings section), where its positions start (in the
    /// positions file; positional surface forms), how many documents hold it, and for a
    /// stem its surface forms' term numbers.
    struct Terms {
        var bytes: [UInt8] = []
        var ends: [UInt32] = []
        var postings: [UInt64] = []
        var positions: [UInt64] = []
        var frequencies: [UInt32] = []
        var variantEnds: [UInt32] = []
        var variants: [UInt32] = []

        var count: Int { ends.count }

        mutating func add(_ term: some Collection<UInt8>, postings offset: UInt64, positions: UInt64?, frequency: UInt32) {
            bytes.append(contentsOf: term)
            ends.append(UInt32(bytes.count))
            postings.append(offset)
            if let positions { self.positions.append(positions) }
            frequencies.append(frequency)
        }

        /// The surface forms of the stem added last.
        mutating func addVariants(_ forms: some Sequence<UInt32>) {
            variants.append(contentsOf: forms)
            variantEnds.append(UInt32(variants.count))
        }

    }

    /// A segment's documents: their PNs, integer columns and text-field norms, and the
    /// encoded structure of each positional field (`FieldStructure`).
    struct Documents {
        var count: Int
        var pn: (Int) -> String
        var column: (Int, Column) -> Int32
        /// The norm of document `doc` in the text field at `index` of `IndexField.textFields`.
        var norm: (Int, Int) -> UInt32
        /// The positional fields some document has a value in.
        var structuredFields: [IndexField]
        var structureLength: (Int, IndexField) throws -> Int
        var appendStructure: (Int, IndexField, inout IndexOutput) throws -> Void
        /// Calls `emit` with every document in `DateOrder`.
        var dateOrder: (_ emit: (UInt32) -> Void) -> Void
    }

    /// Everything after the postings section: documents, structures, dictionaries (each
    /// 8-byte aligned, handed over in `encoded`'s pieces, at `offsets` within them; nil: no
    /// such dictionary), footer and checksum.
    static func finish(into out: inout IndexOutput, postingsStart: Int, documents: Documents,
                       encoded: some Sequence<[UInt8]>, offsets: [Int?]) throws {
        out.align(to: 8)
        let docsOffset = out.count
        writeDocuments(into: &out, documents)
        var structureOffsets = [UInt64](repeating: 0, count: IndexField.allCases.count)
        for field in documents.structuredFields {
            out.align(to: 8)
            structureOffsets[Int(field.rawValue)] = UInt64(out.count)
            try FieldStructure.write(into: &out, count: documents.count, length: { try documents.structureLength($0, field) },
                                     append: { try documents.appendStructure($0, field, &$1) })
        }
        out.align(to: 8)
        let base = out.count
        for piece in encoded { out.append(piece) }
        out.align(to: 8)
        out.uint64(UInt64(docsOffset))
        out.uint64(UInt64(postingsStart))
        for offset in structureOffsets { out.uint64(offset) }
        for offset in offsets { out.uint64(offset.map { UInt64(base + $0) } ?? 0) }
        try out.appendChecksum()
        out.uint32(0)
        out.append(Array(Segment.endMagic.utf8))
    }

    /// Starts a positions file.
    static func startPositions(_ out: inout IndexOutput) { out.append(Array(Segment.positionsMagic.utf8)) }

    /// Ends a positions file: its checksum and end mark.
    static func finishPositions(_ out: inout IndexOutput) throws {
        try out.appendChecksum()
        out.append(Array(Segment.positionsEndMagic.utf8))
    }

    /// count, PN offsets, PN bytes (each length-prefixed), columns and norms, then each
    /// document's `PNKey` (8-byte aligned), then the documents in `DateOrder` (u32 each).
    private static func writeDocuments<Sink: ByteSink>(into out: inout Sink, _ documents: Documents) {
        out.uint32(UInt32(documents.count))
        var blobLength = 0
        for doc in 0..<documents.count {
            out.uint32(UInt32(blobLength))
            let length = documents.pn(doc).utf8.count
            blobLength += varintLength(length) + length
        }
        out.uint32(UInt32(blobLength))
        for doc in 0..<documents.count { out.string(documents.pn(doc)) }
        Columns.write(into: &out, count: documents.count, column: documents.column, norm: documents.norm)
        out.align(to: 8)
        for doc in 0..<documents.count {
            let key = PNKey(documents.pn(doc))
            out.uint64(key.high)
            out.uint64(key.low)
        }
        documents.dateOrder { out.uint32($0) }
    }

    /// A dictionary in `TermDictionary`'s layout.
    static func writeDictionary<Sink: ByteSink>(into out: inout Sink, _ terms: Terms) {
        let start = out.count
        writeDictionaryHeader(into: &out, count: terms.count, termBytes: terms.bytes.count, hasPositions: !terms.positions.isEmpty,
                              hasVariants: !terms.variantEnds.isEmpty, variantCount: terms.variants.count)
        for end in terms.ends { out.uint32(end) }
        out.append(terms.bytes)
        while (out.count - start) % 8 != 0 { out.byte(0) }
        for offset in terms.postings { out.uint64(offset) }
        for offset in terms.positions { out.uint64(offset) }
        for frequency in terms.frequencies { out.uint32(frequency) }
        for index in reversedOrder(terms) { out.uint32(index) }
        for end in terms.variantEnds { out.uint32(end) }
        for form in terms.variants { out.uint32(form) }
    }

    /// The head of a dictionary in `TermDictionary`'s layout, up to and with the first
    /// term's start (0); the term ends follow. Shared by the builder's in-memory
    /// dictionaries and the merge's streamed ones (`StreamedDictionary`).
    static func writeDictionaryHeader<Sink: ByteSink>(into out: inout Sink, count: Int, termBytes: Int, hasPositions: Bool,
                                                      hasVariants: Bool, variantCount: Int) {
        out.uint32(UInt32(count))
        out.uint32(UInt32(termBytes))
        out.uint32((hasPositions ? TermDictionary.hasPositions : 0) | (hasVariants ? TermDictionary.hasVariants : 0))
        out.uint32(UInt32(variantCount))
        out.uint32(0)
    }

    /// Term numbers in the order of the terms read backwards, code point by code point
    /// (the byte order of their reversed strings' UTF-8): the reversed terms are built once
    /// in one buffer and sorted by comparing bytes.
    static func reversedOrder(_ terms: Terms) -> [UInt32] {
        var reversed = [UInt8](repeating: 0, count: terms.bytes.count)
        terms.bytes.withUnsafeBufferPointer { source in
            var start = 0
            for end in terms.ends.map(Int.init) {
                // Copy code points from the last to the first, each in its own byte order.
                var out = start
                var i = end
                while i > start {
                    var first = i - 1
                    while first > start, source[first] & 0xC0 == 0x80 { first -= 1 }
                    for k in first..<i { reversed[out] = source[k]; out += 1 }
                    i = first
                }
                start = end
            }
        }
        return sortedByBytes(terms.count, in: reversed) { Int($0 == 0 ? 0 : terms.ends[$0 - 1])..<Int(terms.ends[$0]) }
    }
}
