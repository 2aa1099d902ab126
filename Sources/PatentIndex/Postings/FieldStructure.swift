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
///     Per document: varint value count; per value: varint tokens, varint sentences, the
///     start of each sentence after the first, varint paragraphs, the start of each
///     paragraph after the first. Starts are token indexes in the value, little-endian, 2
///     bytes each when the value has at most 65,535 tokens, else 4 (format 9): a position's
///     sentence is found by a binary search and a value is stepped over at once, where
///     varint deltas had to be read one by one (long descriptions hold hundreds of sentences).
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

    /// The bytes of one unit start in a value of `tokens` tokens.
    @inline(__always)
    static func startWidth(tokens: Int) -> Int { tokens <= Int(UInt16.max) ? 2 : 4 }

    /// Encodes one document's values.
    static func encode<Sink: ByteSink>(values: [TokenList], into out: inout Sink) {
        guard !values.isEmpty else { return }
        out.varint(values.count)
        for value in values {
            out.varint(value.count)
            let tokens = value.tokens
            let width = startWidth(tokens: value.count)
            for level in 0..<2 {
                func number(_ i: Int) -> Int32 { level == 0 ? tokens[i].sentence : tokens[i].paragraph }
                var starts = 1
                for i in tokens.indices.dropFirst() where number(i) != number(i - 1) { starts += 1 }
                out.varint(starts)
                for i in tokens.indices.dropFirst() where number(i) != number(i - 1) {
                    if width == 2 {
                        out.byte(UInt8(truncatingIfNeeded: i))
                        out.byte(UInt8(truncatingIfNeeded: i >> 8))
                    } else {
                        out.uint32(UInt32(i))
                    }
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
/// document's structure forward once: values are stepped over whole, and a position's
/// sentence and paragraph found by a binary search among the value's fixed-width starts.
struct StructureWalker {
    private var reader: ByteReader
    private var valuesLeft: Int
    private var value: Int32 = -1
    private var valueStart = 0
    private var valueEnd = 0
    private var sentences = UnitStarts()
    private var paragraphs = UnitStarts()

    init(_ encoded: UnsafeRawBufferPointer) throws(IndexError) {
        reader = ByteReader(encoded)
        valuesLeft = encoded.isEmpty ? 0 : try reader.varint()
        valueEnd = -FieldStructure.valueGap
    }

    /// The occurrence at field position `position` (not below the previous call's).
    mutating func occurrence(at position: Int) throws(IndexError) -> Occurrence {
        let inValue = try enterValue(of: position)
        return Occurrence(value: value, position: Int32(inValue), sentence: sentences.unit(of: inValue, in: reader.base),
                          paragraph: paragraphs.unit(of: inValue, in: reader.base))
    }

    /// The value and the sentence (or paragraph) of the position `position` (not below the
    /// previous call's) as `value << 32 | unit`: the other unit's starts are not read.
    mutating func unit(at position: Int, sentences bySentence: Bool) throws(IndexError) -> Int64 {
        let inValue = try enterValue(of: position)
        let unit = bySentence ? sentences.unit(of: inValue, in: reader.base) : paragraphs.unit(of: inValue, in: reader.base)
        return Int64(value) << 32 | Int64(unit)
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
        let width = FieldStructure.startWidth(tokens: tokens)
        sentences = try UnitStarts(&reader, width: width)
        paragraphs = try UnitStarts(&reader, width: width)
    }
}

/// One value's sentence (or paragraph) starts after the first, fixed-width in the encoded
/// bytes, and the unit the last lookup found (lookups only move forward).
private struct UnitStarts {
    private var start = 0
    private var count = 0
    private var width = 2
    /// The unit of the last lookup: how many starts lie at or before its position.
    private var found = 0

    init() {}

    /// Reads the count and steps `reader` over the starts.
    init(_ reader: inout ByteReader, width: Int) throws(IndexError) {
        let units = try reader.varint()
        guard units >= 1, units <= reader.base.count else { throw .corrupt("a value with \(units) units") }
        count = units - 1
        self.width = width
        start = reader.offset
        guard start + count * width <= reader.base.count else { throw .corrupt("unit starts past the end") }
        reader.offset = start + count * width
    }

    @inline(__always)
    private func start(_ i: Int, in bytes: UnsafeRawBufferPointer) -> Int {
        width == 2 ? Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 2 * i, as: UInt16.self)))
            : Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
    }

    /// The unit holding token `inValue` (not below the last lookup's): the number of starts
    /// at or before it, found by galloping forward from the last unit, then a binary search.
    mutating func unit(of inValue: Int, in bytes: UnsafeRawBufferPointer) -> Int32 {
        var low = found
        guard low < count, start(low, in: bytes) <= inValue else { return Int32(found) }
        var step = 1
        var high = low + 1
        while high < count, start(high, in: bytes) <= inValue {
            low = high
            step *= 2
            high = low + step
        }
        high = min(high, count)
        // start(low) ≤ inValue; start(high) > inValue or high == count.
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if start(mid, in: bytes) <= inValue { low = mid } else { high = mid }
        }
        found = low + 1
        return Int32(found)
    }
}
