/// The sections of a segment file after its postings (layout in `SegmentWriter`'s doc
/// comment), written by the builder and by the streaming merge alike.
enum SegmentLayout {
    /// One dictionary as it is written: terms in byte order, where each term's postings
    /// start (relative to the postings section) and how many documents hold it.
    struct Terms {
        var bytes: [UInt8] = []
        var ends: [UInt32] = []
        var postings: [UInt64] = []
        var frequencies: [UInt32] = []

        var count: Int { ends.count }

        mutating func add(_ term: some Collection<UInt8>, postings offset: UInt64, frequency: UInt32) {
            bytes.append(contentsOf: term)
            ends.append(UInt32(bytes.count))
            postings.append(offset)
            frequencies.append(frequency)
        }

        func term(_ i: Int) -> ArraySlice<UInt8> { bytes[Int(i == 0 ? 0 : ends[i - 1])..<Int(ends[i])] }
    }

    /// A segment's documents: their PNs, integer columns and text-field norms.
    struct Documents {
        var count: Int
        var pn: (Int) -> String
        var column: (Int, Column) -> Int32
        /// The norm of document `doc` in the text field at `index` of `IndexField.textFields`.
        var norm: (Int, Int) -> UInt32
    }

    /// Everything after the postings section: documents, dictionaries, footer.
    static func finish<Sink: ByteSink>(into out: inout Sink, postingsStart: Int, documents: Documents, dictionaries: [Terms?]) {
        out.align(to: 8)
        let docsOffset = out.count
        writeDocuments(into: &out, documents)
        var offsets: [UInt64] = []
        for terms in dictionaries {
            guard let terms, terms.count > 0 else { offsets.append(0); continue }
            out.align(to: 8)
            offsets.append(UInt64(out.count))
            writeDictionary(into: &out, terms)
        }
        out.align(to: 8)
        out.uint64(UInt64(docsOffset))
        out.uint64(UInt64(postingsStart))
        for offset in offsets { out.uint64(offset) }
        out.append(Array(Segment.endMagic.utf8))
    }

    /// count, PN offsets, PN bytes (each length-prefixed), then columns and norms.
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
        out.align(to: 4)
        for column in Column.allCases { for doc in 0..<documents.count { out.int32(documents.column(doc, column)) } }
        for index in IndexField.textFields.indices { for doc in 0..<documents.count { out.uint32(documents.norm(doc, index)) } }
    }

    private static func varintLength(_ value: Int) -> Int {
        var length = 1
        var v = UInt64(value)
        while v >= 0x80 {
            v >>= 7
            length += 1
        }
        return length
    }

    /// term count, term bytes length, term offsets, term bytes, postings offsets,
    /// document frequencies, and the term numbers in reversed-term order.
    private static func writeDictionary<Sink: ByteSink>(into out: inout Sink, _ terms: Terms) {
        let start = out.count
        out.uint32(UInt32(terms.count))
        out.uint32(UInt32(terms.bytes.count))
        out.uint32(0)
        for end in terms.ends { out.uint32(end) }
        out.append(terms.bytes)
        while (out.count - start) % 8 != 0 { out.byte(0) }
        for offset in terms.postings { out.uint64(offset) }
        for frequency in terms.frequencies { out.uint32(frequency) }
        let reversed = (0..<terms.count).map { Array(String(String.UnicodeScalarView(String(decoding: terms.term($0), as: UTF8.self)
            .unicodeScalars.reversed())).utf8) }
        for index in reversed.indices.sorted(by: { reversed[$0].lexicographicallyPrecedes(reversed[$1]) }) { out.uint32(UInt32(index)) }
    }
}
