/// A sorted term dictionary with prefix and reversed-term lookups; a stem dictionary
/// also lists, per stem, its surface forms (term numbers in the field's dictionary).
///
/// Layout: u32 term count, u32 term bytes, u32 flags (1: positions offsets, 2: surface
/// forms), u32 surface-form count; u32 term ends (count + 1, from 0), term bytes, padding
/// to 8; u64 postings offset per term (relative to the postings section); [u64 positions
/// offset per term, absolute in the positions file]; u32 document frequency per term;
/// u32 term numbers in reversed-term order; [u32 end of each stem's forms, u32 forms].
public struct TermDictionary: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    public let count: Int
    private let offsetsStart: Int
    private let termsStart: Int
    private let postingsOffsetsStart: Int
    private let positionsOffsetsStart: Int?
    private let frequenciesStart: Int
    private let reversedStart: Int
    private let variantEndsStart: Int?
    private let variantsStart: Int
    let postingsStart: Int
    let positions: UnsafeRawBufferPointer
    let layout: PostingsEncoder.Layout
    let structure: FieldStructure?
    /// For a stem dictionary, the dictionary of the field's surface forms (a class box:
    /// a struct cannot hold itself).
    private let surface: Box?

    final class Box: @unchecked Sendable {
        let dictionary: TermDictionary
        init(_ dictionary: TermDictionary) { self.dictionary = dictionary }
    }

    static let hasPositions: UInt32 = 1
    static let hasVariants: UInt32 = 2

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, positions: UnsafeRawBufferPointer, layout: PostingsEncoder.Layout,
         structure: FieldStructure?, surface: TermDictionary?) throws(IndexError) {
        self.bytes = bytes
        self.positions = positions
        self.layout = layout
        self.structure = structure
        self.surface = surface.map(Box.init)
        let reader = ByteReader(bytes)
        count = Int(try reader.uint32(at: offset))
        let termBytes = Int(try reader.uint32(at: offset + 4))
        let flags = try reader.uint32(at: offset + 8)
        let variantTotal = Int(try reader.uint32(at: offset + 12))
        offsetsStart = offset + 16
        termsStart = offsetsStart + 4 * (count + 1)
        postingsOffsetsStart = (termsStart + termBytes + 7) / 8 * 8
        var next = postingsOffsetsStart + 8 * count
        positionsOffsetsStart = flags & Self.hasPositions != 0 ? next : nil
        if flags & Self.hasPositions != 0 { next += 8 * count }
        frequenciesStart = next
        reversedStart = frequenciesStart + 4 * count
        next = reversedStart + 4 * count
        variantEndsStart = flags & Self.hasVariants != 0 ? next : nil
        variantsStart = next + (flags & Self.hasVariants != 0 ? 4 * count : 0)
        guard variantsStart + 4 * variantTotal <= bytes.count else { throw .corrupt("dictionary past the end") }
        guard (layout.positions == (positionsOffsetsStart != nil)) && ((surface != nil) == (variantEndsStart != nil)) else {
            throw .corrupt("dictionary of an unexpected kind")
        }
        postingsStart = try Int(reader.uint64(at: bytes.count - Segment.footerLength + 8))
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

    /// The postings of term `i`; `positional` asks for occurrences too (positional fields).
    public func postings(_ i: Int, positional: Bool) -> PostingsCursor {
        let offset = postingsStart + Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: postingsOffsetsStart + 8 * i, as: UInt64.self)))
        guard positional, let structure else {
            return PostingsCursor(bytes, at: offset, count: documentFrequency(i), layout: layout,
                                  positions: ByteReader(positions, at: positions.count), structure: nil)
        }
        if let positionsOffsetsStart {
            let at = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: positionsOffsetsStart + 8 * i, as: UInt64.self)))
            return PostingsCursor(bytes, at: offset, count: documentFrequency(i), layout: layout,
                                  positions: ByteReader(positions, at: at), structure: structure)
        }
        let forms = surface.map { box in variants(i).map { box.dictionary.postings($0, positional: true) } } ?? []
        return PostingsCursor(bytes, at: offset, count: documentFrequency(i), layout: layout,
                              positions: ByteReader(positions, at: positions.count), structure: structure, variants: forms)
    }

    /// A stem's surface forms: their term numbers in the field's dictionary.
    func variants(_ i: Int) -> [Int] {
        guard let variantEndsStart else { return [] }
        let start = i == 0 ? 0 : u32(variantEndsStart + 4 * (i - 1))
        let end = u32(variantEndsStart + 4 * i)
        return (start..<end).map { u32(variantsStart + 4 * $0) }
    }
}
