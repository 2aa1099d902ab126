import Foundation

/// Merges the segments of a generation into one, streamed to disk: dropping deleted
/// documents and renumbering the live ones in segment order, each dictionary is merged
/// term by term over the segments' sorted dictionaries (k-way, in byte order), each
/// term's postings re-encoded document by document and written at once. Memory holds
/// the merged dictionaries' terms and one term's document list, never the postings.
enum SegmentMerger {
    /// Writes the merged segment to `path`; returns its document count.
    static func merge(_ snapshot: IndexSnapshot, to path: String) throws -> Int {
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
        var out = try DurableFileWriter(path: path)
        out.append(Array(Segment.magic.utf8))
        out.align(to: 8)
        let postingsStart = out.count
        // Each dictionary goes to a side file as soon as it is merged, so that only one
        // is ever in memory; the side file is appended after the documents at the end.
        let sidePath = path + ".dictionaries"
        var side = try DurableFileWriter(path: sidePath)
        defer { unlink(sidePath) }
        var offsets: [Int?] = []
        for id in 0..<Segment.dictionaryCount {
            let field = Segment.field(of: id)
            let sources = snapshot.segments.enumerated().compactMap { s, segment in
                segment.dictionary(field, stemmed: id % 2 == 1).map { (segment: s, dictionary: $0) }
            }
            var terms = SegmentLayout.Terms()
            try mergeDictionary(sources, positional: field.isPositional, remap: remap, into: &out, postingsStart: postingsStart, terms: &terms) {
                for segment in snapshot.segments { segment.releasePages() }
            }
            guard terms.count > 0 else { offsets.append(nil); continue }
            side.align(to: 8)
            offsets.append(side.count)
            SegmentLayout.writeDictionary(into: &side, terms)
        }
        side.align(to: 8)
        let encodedLength = side.count
        try side.finish()
        // Read back in 1 MB pieces (not mapped: mapped pages read would count as resident).
        guard let reader = FileHandle(forReadingAtPath: sidePath) else { throw IndexError.io("cannot read \(sidePath)") }
        defer { try? reader.close() }
        var copied = 0
        let encoded = AnySequence { AnyIterator { () -> [UInt8]? in
            guard let piece = try? reader.read(upToCount: 1 << 20), !piece.isEmpty else { return nil }
            copied += piece.count
            return [UInt8](piece)
        } }
        let segments = snapshot.segments
        let documents = SegmentLayout.Documents(
            count: live.count,
            pn: { (try? segments[live[$0].segment].pn(live[$0].doc)) ?? "" },
            column: { segments[live[$0].segment].value(live[$0].doc, $1) },
            norm: { UInt32(segments[live[$0].segment].norm(live[$0].doc, IndexField.textFields[$1])) })
        SegmentLayout.finish(into: &out, postingsStart: postingsStart, documents: documents,
                             encoded: encoded, offsets: offsets)
        guard copied == encodedLength else { throw IndexError.io("cannot read \(sidePath) back: \(copied) of \(encodedLength) bytes") }
        try out.finish()
        return live.count
    }

    /// Input bytes read between two `releaseInputs` calls (measured as output written).
    static let releaseInterval = 32 << 20

    /// One dictionary: repeatedly the smallest current term of all sources, its postings
    /// from each source holding it (in segment order, so documents stay ascending). Every
    /// `releaseInterval` of output, and at the end, `releaseInputs` lets the pages read go.
    private static func mergeDictionary(_ sources: [(segment: Int, dictionary: TermDictionary)], positional: Bool, remap: [[Int32]],
                                        into out: inout DurableFileWriter, postingsStart: Int,
                                        terms: inout SegmentLayout.Terms, releaseInputs: () -> Void) throws {
        var next = [Int](repeating: 0, count: sources.count)
        var docs = ByteWriter()
        var released = out.count
        defer { releaseInputs() }
        while true {
            if out.count - released >= releaseInterval {
                releaseInputs()
                released = out.count
            }
            var smallest: UnsafeRawBufferPointer?
            for (k, source) in sources.enumerated() where next[k] < source.dictionary.count {
                let term = source.dictionary.termBytes(next[k])
                if smallest == nil || term.lexicographicallyPrecedes(smallest!) { smallest = term }
            }
            guard let term = smallest else { return }
            let holders = sources.indices.filter { next[$0] < sources[$0].dictionary.count
                && sources[$0].dictionary.termBytes(next[$0]).elementsEqual(term) }
            // Documents and frequencies first: their length precedes them in the file.
            docs = ByteWriter()
            var count = 0
            var previous: Int32 = -1
            for k in holders {
                var postings = sources[k].dictionary.postings(next[k], positional: false)
                let map = remap[sources[k].segment]
                while try postings.next() {
                    let doc = map[postings.doc]
                    guard doc >= 0 else { continue }
                    docs.varint(Int(doc - previous))
                    docs.varint(postings.frequency)
                    previous = doc
                    count += 1
                }
            }
            if count > 0 {
                terms.add(term, postings: UInt64(out.count - postingsStart), frequency: UInt32(count))
                out.varint(docs.count)
                out.append(docs.bytes)
                if positional {
                    for k in holders {
                        var postings = sources[k].dictionary.postings(next[k], positional: true)
                        let map = remap[sources[k].segment]
                        while try postings.next() {
                            let occurrences = try postings.encodedOccurrences()
                            if map[postings.doc] >= 0 { out.append(occurrences) }
                        }
                    }
                }
            }
            for k in holders { next[k] += 1 }
        }
    }
}
