import PatentAnalysis

/// The structure of each (document, positional field): its values and, within each,
/// where sentences and paragraphs start. Positions in the positions stream run across
/// the field's values, value `v + 1` starting `valueGap` after the end of value `v`, so
/// proximity within 99 tokens never reaches across a value; this structure turns such a
/// position back into (value, position, sentence, paragraph) for `$SEN`, `$PARA`,
/// `$FREQ` and value boundaries.
///
/// Section layout (one per positional field present in the segment):
///
///     u32 document count, u32 0, u64 group base per 1,024 documents,
///     u32 per document: end of its bytes relative to its group's base, then the bytes.
///     Per document: varint value count; per value: varint tokens, varint sentences,
///     varint start of each sentence after the first (delta), varint paragraphs,
///     varint start of each paragraph after the first (delta).
public struct FieldStructure: @unchecked Sendable {
    /// Positions between the last token of a value and the first of the next.
    public static let valueGap = 128
    static let groupSize = 1024

    let bytes: UnsafeRawBufferPointer
    let documentCount: Int
    private let basesStart: Int
    private let endsStart: Int
    private let blobStart: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(IndexError) {
        self.bytes = bytes
        documentCount = Int(try ByteReader(bytes).uint32(at: offset))
        basesStart = offset + 8
        endsStart = basesStart + 8 * Self.groups(documentCount)
        blobStart = endsStart + 4 * documentCount
        guard blobStart <= bytes.count else { throw .corrupt("structure past the end") }
    }

    static func groups(_ documents: Int) -> Int { (documents + groupSize - 1) / groupSize }

    /// The encoded structure of `doc` (empty when the field has no value in it).
    func encoded(_ doc: Int) throws(IndexError) -> UnsafeRawBufferPointer {
        guard doc >= 0, doc < documentCount else { throw .corrupt("structure of document \(doc) of \(documentCount)") }
        let reader = ByteReader(bytes)
        let base = blobStart + Int(try reader.uint64(at: basesStart + 8 * (doc / Self.groupSize)))
        let start = doc % Self.groupSize == 0 ? 0 : Int(try reader.uint32(at: endsStart + 4 * (doc - 1)))
        let end = Int(try reader.uint32(at: endsStart + 4 * doc))
        guard start <= end, base + end <= bytes.count else { throw .corrupt("structure of document \(doc) past the end") }
        return UnsafeRawBufferPointer(rebasing: bytes[(base + start)..<(base + end)])
    }

    /// Encodes one document's values.
    static func encode<Sink: ByteSink>(values: [TokenList], into out: inout Sink) {
        guard !values.isEmpty else { return }
        out.varint(values.count)
        for value in values {
            out.varint(value.count)
            let tokens = value.tokens
            for level in 0..<2 {
                func number(_ i: Int) -> Int32 { level == 0 ? tokens[i].sentence : tokens[i].paragraph }
                var starts = 1
                for i in tokens.indices.dropFirst() where number(i) != number(i - 1) { starts += 1 }
                out.varint(starts)
                var previous = 0
                for i in tokens.indices.dropFirst() where number(i) != number(i - 1) {
                    out.varint(i - previous)
                    previous = i
                }
            }
        }
    }

    /// Writes a section for `count` documents, given each one's encoded length and a way
    /// to append its bytes (a merge streams them from its inputs).
    static func write(into out: inout IndexOutput, count: Int, length: (Int) throws -> Int,
                      append: (Int, inout IndexOutput) throws -> Void) throws {
        out.align(to: 8)
        out.uint32(UInt32(count))
        out.uint32(0)
        var total = 0
        for doc in 0..<count {
            if doc % groupSize == 0 { out.uint64(UInt64(total)) }
            total += try length(doc)
        }
        var relative = 0
        for doc in 0..<count {
            if doc % groupSize == 0 { relative = 0 }
            relative += try length(doc)
            guard relative <= Int(UInt32.max) else { throw IndexError.io("structure of 1,024 documents over 4 GB") }
            out.uint32(UInt32(relative))
        }
        for doc in 0..<count { try append(doc, &out) }
    }
}

/// Turns ascending field positions of one document back into occurrences, reading the
/// document's structure forward once.
struct StructureWalker {
    private var reader: ByteReader
    private var valuesLeft: Int
    private var value: Int32 = -1
    private var valueStart = 0
    private var valueEnd = 0
    private var sentences: ByteReader
    private var sentencesLeft = 0
    private var nextSentence = Int.max
    private var sentence: Int32 = 0
    private var paragraphs: ByteReader
    private var paragraphsLeft = 0
    private var nextParagraph = Int.max
    private var paragraph: Int32 = 0

    init(_ encoded: UnsafeRawBufferPointer) throws(IndexError) {
        reader = ByteReader(encoded)
        sentences = reader
        paragraphs = reader
        valuesLeft = encoded.isEmpty ? 0 : try reader.varint()
        valueEnd = -FieldStructure.valueGap
    }

    /// The occurrence at field position `position` (not below the previous call's).
    mutating func occurrence(at position: Int) throws(IndexError) -> Occurrence {
        let inValue = try enterValue(of: position)
        while inValue >= nextSentence { try advance(&sentences, &sentencesLeft, &nextSentence, &sentence) }
        while inValue >= nextParagraph { try advance(&paragraphs, &paragraphsLeft, &nextParagraph, &paragraph) }
        return Occurrence(value: value, position: Int32(inValue), sentence: sentence, paragraph: paragraph)
    }

    /// The value and the sentence (or paragraph) of the position `position` (not below the
    /// previous call's) as `value << 32 | unit`: the other unit's stream is not read.
    mutating func unit(at position: Int, sentences: Bool) throws(IndexError) -> Int64 {
        let inValue = try enterValue(of: position)
        if sentences {
            while inValue >= nextSentence { try advance(&self.sentences, &sentencesLeft, &nextSentence, &sentence) }
            return Int64(value) << 32 | Int64(sentence)
        }
        while inValue >= nextParagraph { try advance(&paragraphs, &paragraphsLeft, &nextParagraph, &paragraph) }
        return Int64(value) << 32 | Int64(paragraph)
    }

    /// Walks to the value holding `position`; its place in that value.
    private mutating func enterValue(of position: Int) throws(IndexError) -> Int {
        while position >= valueEnd {
            guard valuesLeft > 0 else { throw .corrupt("position \(position) outside the document's values") }
            try enterNextValue()
        }
        let inValue = position - valueStart
        guard inValue >= 0 else { throw .corrupt("position \(position) between values") }
        return inValue
    }

    private mutating func enterNextValue() throws(IndexError) {
        valuesLeft -= 1
        value += 1
        valueStart = valueEnd + FieldStructure.valueGap
        let tokens = try reader.varint()
        valueEnd = valueStart + tokens
        sentencesLeft = try reader.varint() - 1
        sentences = reader
        // Stepped over by their last bytes, not decoded: most values hold no occurrence.
        reader.offset = try endOfVarints(max(sentencesLeft, 0), in: reader.base, from: reader.offset)
        paragraphsLeft = try reader.varint() - 1
        paragraphs = reader
        reader.offset = try endOfVarints(max(paragraphsLeft, 0), in: reader.base, from: reader.offset)
        sentence = 0
        paragraph = 0
        nextSentence = sentencesLeft > 0 ? try sentences.varint() : .max
        nextParagraph = paragraphsLeft > 0 ? try paragraphs.varint() : .max
    }

    private func advance(_ stream: inout ByteReader, _ left: inout Int, _ next: inout Int, _ number: inout Int32) throws(IndexError) {
        number += 1
        left -= 1
        next = left > 0 ? next + (try stream.varint()) : .max
    }
}
