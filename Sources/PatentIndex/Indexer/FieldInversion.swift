import PatentAnalysis

/// One positional field's tokens while a segment is built, as term ids in document and
/// value order (4 bytes a token): the postings are built from them when the segment is
/// written, in two counting passes (Lucene's and Tantivy's in-memory inverters append to
/// per-term lists instead; a log needs no per-term state while documents arrive).
final class PositionalFieldLog {
    let terms = TermHashTable()
    /// Whether adjacent common words are also logged as pair terms (`WordPairs`; text fields).
    let wordPairs: Bool
    /// Per term: whether it is a Latin word (only those have a stem), and a common word.
    @exclusivity(unchecked) var latin: [Bool] = []
    @exclusivity(unchecked) var common: [Bool] = []
    @exclusivity(unchecked) var tokens: [UInt32] = []
    /// Pair terms, in token order: the index in `tokens` of the pair's first word, and its term id.
    @exclusivity(unchecked) var pairStarts: [UInt32] = []
    @exclusivity(unchecked) var pairTerms: [UInt32] = []
    private var pairBytes: [UInt8] = []
    @exclusivity(unchecked) var valueLengths: [UInt32] = []
    /// Per document: where its values end in `valueLengths`.
    @exclusivity(unchecked) var documentValueEnds: [Int32] = []
    /// Per document: its encoded `FieldStructure`, and where each document's bytes end.
    @exclusivity(unchecked) var structure = ByteWriter()
    @exclusivity(unchecked) var structureEnds: [Int] = []

    init(wordPairs: Bool) { self.wordPairs = wordPairs }

    var memoryBytes: Int {
        terms.memoryBytes + (2 * latin.count + 4 * tokens.count + 8 * pairStarts.count + 4 * valueLengths.count + structure.count) * 3 / 2
            + 12 * documentValueEnds.count
    }

    /// What inverting the field takes besides the log, at most: per posting a document
    /// and a frequency (8 bytes; a posting per token at worst), its positions (2 bytes a
    /// token at most), and a few arrays per term (surface forms and stems).
    var inversionBytes: Int { 10 * (tokens.count + pairStarts.count) + 64 * terms.count }

    /// Lets the token log go once the field is inverted (its structure stays: the
    /// documents section copies it last).
    func releaseTokens() {
        tokens = []
        pairStarts = []
        pairTerms = []
        valueLengths = []
        documentValueEnds = []
    }

    /// Adds a document's values (none: the field is absent from it).
    func add(_ values: [TokenList]) {
        for value in values {
            value.text.withUnsafeBytes { text in
                var previous = -1
                for i in 0..<value.count {
                    let range = value.range(i)
                    let word = UnsafeRawBufferPointer(rebasing: text[range])
                    let (found, isNew) = terms.id(word)
                    let id = Int(found)
                    if isNew {
                        latin.append(value.tokens[i].isLatin)
                        common.append(wordPairs && WordPairs.isCommon(word))
                    }
                    tokens.append(UInt32(id))
                    if previous >= 0, common[id], common[previous] { addPair(first: value.range(i - 1), second: range, in: text) }
                    previous = id
                }
            }
            valueLengths.append(UInt32(value.count))
        }
        documentValueEnds.append(Int32(valueLengths.count))
        FieldStructure.encode(values: values, into: &structure)
        structureEnds.append(structure.count)
    }

    /// Logs the pair of the last two tokens (the first at `tokens.count - 2`).
    private func addPair(first: Range<Int>, second: Range<Int>, in text: UnsafeRawBufferPointer) {
        pairBytes.removeAll(keepingCapacity: true)
        pairBytes.append(contentsOf: text[first])
        pairBytes.append(WordPairs.separator)
        pairBytes.append(contentsOf: text[second])
        let (id, isNew) = pairBytes.withUnsafeBytes { terms.id($0) }
        if isNew {
            latin.append(false)
            common.append(false)
        }
        pairStarts.append(UInt32(tokens.count - 2))
        pairTerms.append(UInt32(id))
    }

    func structureRange(_ doc: Int) -> Range<Int> { (doc == 0 ? 0 : structureEnds[doc - 1])..<structureEnds[doc] }

    /// Calls `visit(term, document, field position)` for every token in order, and for
    /// every pair term after its first word.
    @inline(__always)
    func forEachToken(_ visit: (Int, Int32, Int) -> Void) {
        var token = 0
        var value = 0
        var pair = 0
        for doc in 0..<documentValueEnds.count {
            let end = Int(documentValueEnds[doc])
            var start = 0
            while value < end {
                let length = Int(valueLengths[value])
                for k in 0..<length {
                    visit(Int(tokens[token]), Int32(doc), start + k)
                    // A pair sits at its first word's position.
                    if pair < pairStarts.count, Int(pairStarts[pair]) == token {
                        visit(Int(pairTerms[pair]), Int32(doc), start + k)
                        pair += 1
                    }
                    token += 1
                }
                start += length + FieldStructure.valueGap
                value += 1
            }
        }
    }

    /// The surface forms' postings with positions.
    func invert() -> InvertedTerms {
        let count = terms.count
        var lastDoc = [Int32](repeating: -1, count: count)
        var lastPosition = [Int32](repeating: 0, count: count)
        var documents = [Int](repeating: 0, count: count + 1)
        var positionBytes = [Int](repeating: 0, count: count + 1)
        forEachToken { term, doc, position in
            if lastDoc[term] != doc {
                documents[term + 1] += 1
                positionBytes[term + 1] += varintLength(position)
                lastDoc[term] = doc
            } else {
                positionBytes[term + 1] += varintLength(position - Int(lastPosition[term]))
            }
            lastPosition[term] = Int32(position)
        }
        var inverted = InvertedTerms(documentCounts: documents, positionByteCounts: positionBytes)
        lastDoc = [Int32](repeating: -1, count: count)
        var docCursor = inverted.docStarts
        var positionCursor = inverted.positionStarts
        var docs = inverted.docs, frequencies = inverted.frequencies, positions = inverted.positions
        inverted.docs = []
        inverted.frequencies = []
        inverted.positions = []
        positions.withUnsafeMutableBufferPointer { out in
            forEachToken { term, doc, position in
                let delta: Int
                if lastDoc[term] != doc {
                    docs[docCursor[term]] = doc
                    frequencies[docCursor[term]] = 1
                    docCursor[term] += 1
                    lastDoc[term] = doc
                    delta = position
                } else {
                    frequencies[docCursor[term] - 1] += 1
                    delta = position - Int(lastPosition[term])
                }
                lastPosition[term] = Int32(position)
                var v = UInt64(delta)
                var at = positionCursor[term]
                while v >= 0x80 {
                    out[at] = UInt8(v & 0x7F) | 0x80
                    v >>= 7
                    at += 1
                }
                out[at] = UInt8(v)
                positionCursor[term] = at + 1
            }
        }
        inverted.docs = docs
        inverted.frequencies = frequencies
        inverted.positions = positions
        return inverted
    }

    /// The stems' postings (documents and frequencies): `stems[term]` is the stem id of
    /// a surface form (−1: none).
    func invertStems(_ stems: [Int32], count: Int) -> InvertedTerms {
        var lastDoc = [Int32](repeating: -1, count: count)
        var documents = [Int](repeating: 0, count: count + 1)
        forEachToken { term, doc, _ in
            let stem = Int(stems[term])
            guard stem >= 0, lastDoc[stem] != doc else { return }
            documents[stem + 1] += 1
            lastDoc[stem] = doc
        }
        var inverted = InvertedTerms(documentCounts: documents, positionByteCounts: nil)
        lastDoc = [Int32](repeating: -1, count: count)
        var cursor = inverted.docStarts
        forEachToken { term, doc, _ in
            let stem = Int(stems[term])
            guard stem >= 0 else { return }
            if lastDoc[stem] != doc {
                inverted.docs[cursor[stem]] = doc
                inverted.frequencies[cursor[stem]] = 1
                cursor[stem] += 1
                lastDoc[stem] = doc
            } else {
                inverted.frequencies[cursor[stem] - 1] += 1
            }
        }
        return inverted
    }
}

/// One keyword field's terms while a segment is built: per document its distinct term ids.
final class KeywordFieldLog {
    let terms = TermHashTable()
    @exclusivity(unchecked) var documentTerms: [UInt32] = []
    @exclusivity(unchecked) var documentEnds: [Int32] = []

    var memoryBytes: Int { terms.memoryBytes + (4 * documentTerms.count + 4 * documentEnds.count) * 3 / 2 }

    func add(_ values: [String]) {
        let start = documentTerms.count
        for value in values {
            let id = UInt32(terms.id(value).id)
            if !documentTerms[start...].contains(id) { documentTerms.append(id) }
        }
        documentEnds.append(Int32(documentTerms.count))
    }

    func invert() -> InvertedTerms {
        var documents = [Int](repeating: 0, count: terms.count + 1)
        for term in documentTerms { documents[Int(term) + 1] += 1 }
        var inverted = InvertedTerms(documentCounts: documents, positionByteCounts: nil)
        var cursor = inverted.docStarts
        var start = 0
        for (doc, end) in documentEnds.enumerated() {
            for term in documentTerms[start..<Int(end)] {
                inverted.docs[cursor[Int(term)]] = Int32(doc)
                inverted.frequencies[cursor[Int(term)]] = 1
                cursor[Int(term)] += 1
            }
            start = Int(end)
        }
        return inverted
    }
}

/// Every term's postings of one dictionary, by term id: documents and frequencies in
/// one array, positions (varint per occurrence, first absolute per document) in another.
struct InvertedTerms {
    /// `docStarts[t]..<docStarts[t + 1]`: term `t`'s documents.
    var docStarts: [Int]
    var docs: [Int32]
    var frequencies: [Int32]
    var positionStarts: [Int]
    var positions: [UInt8]

    /// From per-term counts shifted by one (`counts[t + 1]` for term `t`), summed in place.
    init(documentCounts counts: [Int], positionByteCounts: [Int]?) {
        docStarts = counts
        for i in docStarts.indices.dropFirst() { docStarts[i] += docStarts[i - 1] }
        docs = [Int32](repeating: 0, count: docStarts.last ?? 0)
        frequencies = docs
        positionStarts = positionByteCounts ?? []
        for i in positionStarts.indices.dropFirst() { positionStarts[i] += positionStarts[i - 1] }
        positions = [UInt8](repeating: 0, count: positionStarts.last ?? 0)
    }
}
