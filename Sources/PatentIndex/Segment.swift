/// A segment opened for reading: memory-mapped, nothing decoded up front.
public final class Segment: @unchecked Sendable {
    static let magic = "PSEG0003"
    static let endMagic = "PSEGEND1"
    static let dictionaryCount = IndexField.allCases.count * 2

    static func dictionaryID(_ field: IndexField, stemmed: Bool) -> Int { Int(field.rawValue) * 2 + (stemmed ? 1 : 0) }
    static func field(of dictionaryID: Int) -> IndexField { IndexField(rawValue: UInt8(dictionaryID / 2))! }

    public let id: Int
    public let documentCount: Int
    private let file: MappedFile
    /// `file`'s bytes (valid while the segment lives), for the inlinable column readers.
    @usableFromInline let bytes: UnsafeRawBufferPointer
    private let pnOffsetsStart: Int
    private let pnBlobStart: Int
    @usableFromInline let datesStart: Int
    @usableFromInline let normsStart: Int
    private let postingsStart: Int
    private let dictionaries: [TermDictionary?]

    public init(path: String, id: Int) throws {
        self.id = id
        file = try MappedFile(path: path)
        let bytes = file.bytes
        self.bytes = bytes
        guard bytes.count >= 16, String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<8]), as: UTF8.self) == Self.magic,
              String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 8)...]), as: UTF8.self) == Self.endMagic else {
            throw IndexError.corrupt("\(path) is not a complete segment")
        }
        let reader = ByteReader(bytes)
        let footer = bytes.count - 8 - 8 * (2 + Self.dictionaryCount)
        let docsOffset = Int(try reader.uint64(at: footer))
        postingsStart = Int(try reader.uint64(at: footer + 8))
        documentCount = Int(try reader.uint32(at: docsOffset))
        pnOffsetsStart = docsOffset + 4
        let pnBlobLength = Int(try reader.uint32(at: pnOffsetsStart + 4 * documentCount))
        pnBlobStart = pnOffsetsStart + 4 * documentCount + 4
        datesStart = (pnBlobStart + pnBlobLength + 3) / 4 * 4
        normsStart = datesStart + 4 * documentCount * Column.allCases.count
        var dictionaries: [TermDictionary?] = []
        for id in 0..<Self.dictionaryCount {
            let offset = Int(try reader.uint64(at: footer + 16 + 8 * id))
            dictionaries.append(offset == 0 ? nil : try TermDictionary(bytes, at: offset, postingsStart: postingsStart))
        }
        self.dictionaries = dictionaries
    }

    public func pn(_ doc: Int) throws -> String {
        let reader = ByteReader(file.bytes)
        var at = ByteReader(file.bytes, at: pnBlobStart + Int(try reader.uint32(at: pnOffsetsStart + 4 * doc)))
        return try at.string()
    }

    /// An integer column of a document (dates, family ids, packed office/kind/type).
    @inlinable
    public func value(_ doc: Int, _ column: Column) -> Int32 {
        let position = datesStart + 4 * (column.rawValue * documentCount + doc)
        return Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int32.self))
    }

    /// Documents whose `column` value lies in `low...high`, skipping 0 (no value), in order.
    public func documents(_ column: Column, from low: Int32, to high: Int32) -> [Int32] {
        var out: [Int32] = []
        let base = datesStart + 4 * column.rawValue * documentCount
        for doc in 0..<documentCount {
            let value = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: base + 4 * doc, as: Int32.self))
            if value != 0, value >= low, value <= high { out.append(Int32(doc)) }
        }
        return out
    }

    /// Where each field's norms are among the text fields (-1 for other fields), by raw value.
    @usableFromInline static let normSlots: [Int] = IndexField.allCases.map { IndexField.textFields.firstIndex(of: $0) ?? -1 }

    /// The sum of a text field's norms over the documents not in `deleted`: one pass over
    /// the field's norm column (a few milliseconds at a million documents), the deleted
    /// ones taken off after.
    public func normSum(_ field: IndexField, excluding deleted: DeletionSet) -> Int {
        let index = Self.normSlots[Int(field.rawValue)]
        guard index >= 0 else { return 0 }
        let start = normsStart + 4 * index * documentCount
        var sum = 0
        for doc in 0..<documentCount {
            sum += Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * doc, as: UInt32.self)))
        }
        if deleted.count > 0 {
            for doc in 0..<documentCount where deleted.contains(doc) { sum -= norm(doc, field) }
        }
        return sum
    }

    /// Tokens of a text field in a document (BM25 document length).
    @inlinable
    public func norm(_ doc: Int, _ field: IndexField) -> Int {
        let index = Self.normSlots[Int(field.rawValue)]
        guard index >= 0 else { return 0 }
        let position = normsStart + 4 * (index * documentCount + doc)
        return Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
    }

    /// Drops the pages read so far from resident memory (see `MappedFile.releasePages`).
    func releasePages() { file.releasePages() }

    /// The dictionary of a field (or of its stems), nil when the segment has no term in it.
    public func dictionary(_ field: IndexField, stemmed: Bool = false) -> TermDictionary? {
        dictionaries[Self.dictionaryID(field, stemmed: stemmed)]
    }
}

/// A sorted term dictionary with prefix and reversed-term lookups.
public struct TermDictionary: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    public let count: Int
    private let offsetsStart: Int
    private let termsStart: Int
    private let postingsOffsetsStart: Int
    private let frequenciesStart: Int
    private let reversedStart: Int
    let postingsStart: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, postingsStart: Int) throws(IndexError) {
        self.bytes = bytes
        self.postingsStart = postingsStart
        let reader = ByteReader(bytes)
        count = Int(try reader.uint32(at: offset))
        let termBytes = Int(try reader.uint32(at: offset + 4))
        offsetsStart = offset + 8
        termsStart = offsetsStart + 4 * (count + 1)
        postingsOffsetsStart = (termsStart + termBytes + 7) / 8 * 8
        frequenciesStart = postingsOffsetsStart + 8 * count
        reversedStart = frequenciesStart + 4 * count
        guard reversedStart + 4 * count <= bytes.count else { throw .corrupt("dictionary past the end") }
    }

    @inline(__always)
    private func u32(_ position: Int) -> Int {
        Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
    }

    /// The bytes of term `i`.
    public func termBytes(_ i: Int) -> UnsafeRawBufferPointer {
        let start = termsStart + u32(offsetsStart + 4 * i)
        let end = termsStart + u32(offsetsStart + 4 * (i + 1))
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    public func term(_ i: Int) -> String { String(decoding: termBytes(i), as: UTF8.self) }

    public func documentFrequency(_ i: Int) -> Int { u32(frequenciesStart + 4 * i) }

    /// The term number in reversed-term order position `i`.
    public func reversedTerm(_ i: Int) -> Int { u32(reversedStart + 4 * i) }

    /// The first term number whose bytes are not less than `key`.
    public func lowerBound(_ key: [UInt8]) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if termBytes(mid).lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The term number of an exact term.
    public func find(_ term: String) -> Int? {
        let key = Array(term.utf8)
        let i = lowerBound(key)
        return i < count && termBytes(i).elementsEqual(key) ? i : nil
    }

    /// Term numbers starting with `prefix` (a contiguous range).
    public func prefixRange(_ prefix: String) -> Range<Int> {
        let key = Array(prefix.utf8)
        let start = lowerBound(key)
        var end = start
        while end < count, termBytes(end).starts(with: key) { end += 1 }
        return start..<end
    }

    /// Term numbers ending with `suffix`, through the reversed-term order.
    public func suffixMatches(_ suffix: String) -> [Int] {
        let key = Array(String(String.UnicodeScalarView(suffix.unicodeScalars.reversed())).utf8)
        func reversedBytes(_ i: Int) -> [UInt8] {
            Array(String(String.UnicodeScalarView(term(i).unicodeScalars.reversed())).utf8)
        }
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if reversedBytes(reversedTerm(mid)).lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        var out: [Int] = []
        var i = low
        while i < count {
            let term = reversedTerm(i)
            guard reversedBytes(term).starts(with: key) else { break }
            out.append(term)
            i += 1
        }
        return out
    }

    /// The postings of term `i`.
    public func postings(_ i: Int, positional: Bool) -> PostingsCursor {
        let offset = postingsStart + Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: postingsOffsetsStart + 8 * i, as: UInt64.self)))
        return PostingsCursor(bytes, at: offset, count: documentFrequency(i), positional: positional)
    }
}

/// One occurrence of a term in a document.
public struct Occurrence: Equatable, Sendable {
    public var value: Int32
    public var position: Int32
    public var sentence: Int32
    public var paragraph: Int32
}

/// Walks a term's postings: documents in order, and their occurrences on demand.
public struct PostingsCursor {
    private var docs: ByteReader
    private var positions: ByteReader
    private let positional: Bool
    public private(set) var remaining: Int
    public private(set) var doc: Int = -1
    public private(set) var frequency: Int = 0
    private var occurrencesRead = true

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int, positional: Bool) {
        var reader = ByteReader(bytes, at: offset)
        let docsLength = (try? reader.varint()) ?? 0
        docs = reader
        positions = ByteReader(bytes, at: reader.offset + docsLength)
        self.positional = positional
        remaining = count
    }

    /// Moves to the next document; false at the end.
    public mutating func next() throws(IndexError) -> Bool {
        if positional && !occurrencesRead { try skipOccurrences() }
        guard remaining > 0 else { return false }
        remaining -= 1
        doc += try docs.varint()
        frequency = try docs.varint()
        occurrencesRead = false
        return true
    }

    /// The current document's occurrences as stored (positional fields only): their
    /// encoding depends on nothing outside the document, so a merge copies them as they are.
    mutating func encodedOccurrences() throws(IndexError) -> UnsafeRawBufferPointer {
        guard positional, !occurrencesRead else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = positions.offset
        try skipOccurrences()
        return UnsafeRawBufferPointer(rebasing: positions.base[start..<positions.offset])
    }

    private mutating func skipOccurrences() throws(IndexError) {
        for _ in 0..<(frequency * 4) { _ = try positions.varint() }
        occurrencesRead = true
    }

    /// The current document's occurrences (positional fields only), in value and
    /// position order.
    public mutating func occurrences() throws(IndexError) -> [Occurrence] {
        var out: [Occurrence] = []
        try occurrences(appendingTo: &out)
        return out
    }

    /// The same appended to a buffer the caller reuses across documents.
    public mutating func occurrences(appendingTo out: inout [Occurrence]) throws(IndexError) {
        guard positional, !occurrencesRead else { return }
        out.reserveCapacity(out.count + frequency)
        var lastValue: Int32 = -1
        var position: Int32 = 0
        var sentence: Int32 = 0
        var paragraph: Int32 = 0
        for _ in 0..<frequency {
            let value = Int32(try positions.varint())
            if value != lastValue {
                lastValue = value
                position = 0
                sentence = 0
                paragraph = 0
            }
            position += Int32(try positions.varint())
            sentence += Int32(try positions.varint())
            paragraph += Int32(try positions.varint())
            out.append(Occurrence(value: value, position: position, sentence: sentence, paragraph: paragraph))
        }
        occurrencesRead = true
    }
}
