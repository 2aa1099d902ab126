import Foundation

/// Merges the segments of a generation into one, streamed to disk: dropping deleted
/// documents and renumbering the live ones in segment order, each dictionary is merged
/// term by term over the segments' sorted dictionaries (k-way, in byte order), each
/// term's postings re-encoded document by document and its positions copied as they are
/// (they depend only on their document). The merged dictionary streams to scratch files
/// (`StreamedDictionary`); memory holds 4 bytes per input term (its merged number, for
/// the stems' surface forms and the reversed-term order), the document renumbering
/// (4 bytes per input document) and one term's encoded documents — never the terms'
/// columns or the postings.
enum SegmentMerger {
    /// Writes the merged segment as segment `id` of `directory`; returns its document count.
    /// Returns the documents written and, per field of `IndexField.textFields`, the sum of
    /// their norms (for the manifest).
    static func merge(_ snapshot: IndexSnapshot, into directory: any IndexDirectory, id: Int) throws -> (documents: Int, normSums: [Int]) {
        // A damaged input is refused before anything of it is copied.
        try snapshot.verifyChecksums()
        // New numbers of the live documents, in segment order.
        var remap: [[Int32]] = []
        var live: [(segment: Int, doc: Int)] = []
        for (s, segment) in snapshot.segments.enumerated() {
            var map = [Int32](repeating: -1, count: segment.documentCount)
            for doc in 0..<segment.documentCount where !snapshot.deletions[s].contains(doc) {
                map[doc] = Int32(live.count)
                live.append((s, doc))
            }
            remap.append(map)
        }
        var positions = try IndexOutput(directory, IndexManifest.positionsFile(id))
        SegmentLayout.startPositions(&positions)
        var out = try IndexOutput(directory, IndexManifest.segmentFile(id))
        out.append(Array(Segment.magic.utf8))
        out.align(to: 8)
        let postingsStart = out.count
        // Each dictionary goes to a side file as soon as it is merged, so that only one
        // is ever in memory; the side file is appended after the documents at the end.
        let sideName = IndexManifest.segmentFile(id) + ".dictionaries"
        var side = try IndexOutput(directory, sideName)
        defer { try? directory.remove(sideName) }
        var offsets: [Int?] = []
        // Per input segment, the merged number of each of its surface terms of the field
        // being merged (−1: gone), for the stems' surface forms: the field's surface
        // dictionary merge's numbers, which comes just before its stems'.
        var formNumbers: [[Int32]] = []
        for dictionary in 0..<Segment.dictionaryCount {
            let field = Segment.field(of: dictionary)
            let stemmed = dictionary % 2 == 1
            let sources = snapshot.segments.enumerated().compactMap { s, segment in
                segment.dictionary(field, stemmed: stemmed).map { (segment: s, dictionary: $0) }
            }
            let layout = Segment.layout(field, stemmed: stemmed)
            let terms = try StreamedDictionary(directory, scratch: sideName + "-\(dictionary)",
                                               hasPositions: layout.positions, hasVariants: stemmed)
            var merge = DictionaryMerge(segments: snapshot.segments, sources: sources, remap: remap, field: field, stemmed: stemmed)
            try merge.run(into: &out, positions: &positions, postingsStart: postingsStart, terms: terms, formNumbers: formNumbers) {
                snapshot.releasePages()
            }
            if !stemmed {
                formNumbers = snapshot.segments.indices.map { s in sources.firstIndex { $0.segment == s }.map { merge.numbers[$0] } ?? [] }
            }
            guard terms.count > 0 else { offsets.append(nil); continue }
            side.align(to: 8)
            offsets.append(side.count)
            try terms.finish(into: &side, reversedOrder: ReversedOrderMerge(sources: sources.map(\.dictionary), numbers: merge.numbers))
        }
        side.align(to: 8)
        let encodedLength = side.count
        try side.finish()
        // Read back in 1 MB pieces, each let go once copied (pages read would otherwise
        // count as resident).
        let reader = try directory.open(sideName)
        var copied = 0
        let encoded = AnySequence { AnyIterator { () -> [UInt8]? in
            guard copied < reader.bytes.count else { return nil }
            let end = min(reader.bytes.count, copied + (1 << 20))
            let piece = [UInt8](UnsafeRawBufferPointer(rebasing: reader.bytes[copied..<end]))
            reader.releasePages()
            copied = end
            return piece
        } }
        let segments = snapshot.segments
        func structure(_ doc: Int, _ field: IndexField) throws -> UnsafeRawBufferPointer {
            try segments[live[doc].segment].structure(field)?.encoded(live[doc].doc) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let documents = SegmentLayout.Documents(
            count: live.count,
            pn: { (try? segments[live[$0].segment].pn(live[$0].doc)) ?? "" },
            column: { segments[live[$0].segment].columns.value(live[$0].doc, $1) },
            norm: { UInt32(segments[live[$0].segment].columns.norm(live[$0].doc, IndexField.textFields[$1])) },
            structuredFields: IndexField.allCases.filter { field in segments.contains { $0.structure(field) != nil } },
            structureLength: { try structure($0, $1).count },
            appendStructure: { doc, field, out in out.append(try structure(doc, field)) },
            dateOrder: { emit in mergeDateOrders(segments, remap: remap, emit) })
        try SegmentLayout.finishPositions(&positions)
        try positions.finish()
        try SegmentLayout.finish(into: &out, postingsStart: postingsStart, documents: documents,
                                 encoded: encoded, offsets: offsets)
        guard copied == encodedLength else { throw IndexError.io("cannot read \(sideName) back: \(copied) of \(encodedLength) bytes") }
        try out.finish()
        let normSums = IndexField.textFields.map { field in
            live.reduce(0) { $0 + segments[$1.segment].columns.norm($1.doc, field) }
        }
        return (live.count, normSums)
    }

    /// The inputs' date orders merged (each is in `DateOrder` already): repeatedly the
    /// first of the segments' next live documents, under its merged number.
    private static func mergeDateOrders(_ segments: [Segment], remap: [[Int32]], _ emit: (UInt32) -> Void) {
        let orders = segments.map { $0.dateOrder() }
        let dates = segments.map { $0.columns.values(.publicationDate) }
        var next = [Int](repeating: 0, count: segments.count)
        /// Segment `s`'s next live document, or nil when it has none left.
        func head(_ s: Int) -> Int32? {
            while next[s] < orders[s].count {
                let doc = orders[s][next[s]]
                if doc >= 0, Int(doc) < remap[s].count, remap[s][Int(doc)] >= 0 { return doc }
                next[s] += 1
            }
            return nil
        }
        while true {
            var best: (segment: Int, doc: Int32)?
            for s in segments.indices {
                guard let doc = head(s) else { continue }
                if let current = best {
                    let (a, b) = (segments[s], segments[current.segment])
                    guard DateOrder.precedes(dates[s][doc], a.pnKey(Int(doc)), dates[current.segment][current.doc], b.pnKey(Int(current.doc)),
                                             pns: { ((try? a.pn(Int(doc))) ?? "", (try? b.pn(Int(current.doc))) ?? "") }) else { continue }
                }
                best = (s, doc)
            }
            guard let best else { return }
            emit(UInt32(remap[best.segment][Int(best.doc)]))
            next[best.segment] += 1
        }
    }

    /// Input bytes read between two `releaseInputs` calls (measured as output written).
    static let releaseInterval = 32 << 20
}

/// One dictionary's merge: repeatedly the smallest current term of all sources, its
/// postings from each source holding it (in segment order, so documents stay
/// ascending). Every `releaseInterval` of output, and at the end, `releaseInputs` lets
/// the pages read go.
private struct DictionaryMerge {
    let segments: [Segment]
    let sources: [(segment: Int, dictionary: TermDictionary)]
    let remap: [[Int32]]
    let field: IndexField
    let stemmed: Bool
    /// Per source, the merged number of each of its terms (−1: gone with its documents).
    private(set) var numbers: [[Int32]]

    init(segments: [Segment], sources: [(segment: Int, dictionary: TermDictionary)], remap: [[Int32]], field: IndexField, stemmed: Bool) {
        self.segments = segments
        self.sources = sources
        self.remap = remap
        self.field = field
        self.stemmed = stemmed
        numbers = sources.map { [Int32](repeating: -1, count: $0.dictionary.count) }
    }

    mutating func run(into out: inout IndexOutput, positions: inout IndexOutput, postingsStart: Int,
                      terms: StreamedDictionary, formNumbers: [[Int32]], releaseInputs: () -> Void) throws {
        let layout = Segment.layout(field, stemmed: stemmed)
        var encoder = PostingsEncoder(layout)
        var next = [Int](repeating: 0, count: sources.count)
        var released = out.count + positions.count
        defer { releaseInputs() }
        while true {
            if out.count + positions.count - released >= SegmentMerger.releaseInterval {
                releaseInputs()
                released = out.count + positions.count
            }
            var smallest: UnsafeRawBufferPointer?
            for (k, source) in sources.enumerated() where next[k] < source.dictionary.count {
                let term = source.dictionary.termBytes(next[k])
                if smallest == nil || term.lexicographicallyPrecedes(smallest!) { smallest = term }
            }
            guard let term = smallest else { return }
            let holders = sources.indices.filter { next[$0] < sources[$0].dictionary.count
                && sources[$0].dictionary.termBytes(next[$0]).elementsEqual(term) }
            let positionsStart = positions.count
            for k in holders {
                let segment = sources[k].segment
                var postings = sources[k].dictionary.postings(next[k], positional: layout.positions)
                let map = remap[segment]
                while try postings.next() {
                    let doc = map[postings.doc]
                    guard doc >= 0 else { continue }
                    let encoded = try postings.encodedPositions()
                    positions.append(encoded)
                    encoder.add(doc: doc, frequency: postings.frequency, positionBytes: encoded.count,
                                norm: layout.norms ? UInt32(segments[segment].columns.norm(postings.doc, field)) : 0)
                }
            }
            if encoder.count > 0 {
                for k in holders { numbers[k][next[k]] = Int32(terms.count) }
                var forms = Set<UInt32>()
                if stemmed {
                    for k in holders {
                        let surface = formNumbers[sources[k].segment]
                        for form in sources[k].dictionary.variants(next[k]) where surface[form] >= 0 { forms.insert(UInt32(surface[form])) }
                    }
                }
                terms.add(term, postings: UInt64(out.count - postingsStart),
                          positions: layout.positions ? UInt64(positionsStart) : nil, frequency: UInt32(encoder.count),
                          forms: forms.sorted())
                encoder.write(into: &out)
            }
            for k in holders { next[k] += 1 }
        }
    }
}
