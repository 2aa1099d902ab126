/// One occurrence of a term in a document.
public struct Occurrence: Equatable, Sendable {
    public var value: Int32
    public var position: Int32
    public var sentence: Int32
    public var paragraph: Int32
}

/// Walks a term's postings (`PostingsEncoder` layout): documents in order, and their
/// occurrences on demand, read from the positions stream and placed by the field's
/// structure. A stem's cursor has no positions of its own: its occurrences are the
/// union of its surface forms' (`variants`), found by advancing their cursors.
public struct PostingsCursor {
    private var reader: ByteReader
    private let layout: PostingsEncoder.Layout
    public private(set) var remaining: Int
    public private(set) var doc: Int = -1
    public private(set) var frequency: Int = 0
    private var fullBlocks: Int
    /// The current block's documents (its deltas summed when it is decoded).
    private var docBlock: [UInt32] = []
    private var frequencyBlock: [UInt32] = []
    private var blockIndex = 0
    private var blockCount = 0
    /// Positional cursors only.
    private var positions: ByteReader
    private let structure: FieldStructure?
    /// Whether the current document's positions were read (or stepped over) already.
    private var occurrencesRead = true
    /// Position varints of documents passed without reading them, still before
    /// `positions.offset`'s target: stepped over in one scan when positions are next read,
    /// so walking or advancing a positional term costs no more than a plain one.
    private var positionsBehind = 0
    private var variants: [PostingsCursor]
    /// The term's document count, where its skip entries and first block start, and where
    /// its positions start: what `advance(to:)` needs to jump whole blocks.
    private let count: Int
    private let totalBlocks: Int
    private let skipsStart: Int
    private let blocksStart: Int
    private let positionsStart: Int
    /// Read on the first `advance(to:)` that may jump (empty until then); kept in place,
    /// never copied out, so a jump costs no reference counting.
    private var skips = SkipTable()

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int, layout: PostingsEncoder.Layout,
         positions: ByteReader, structure: FieldStructure?, variants: [PostingsCursor] = []) {
        reader = ByteReader(bytes, at: offset)
        self.layout = layout
        self.count = count
        remaining = count
        fullBlocks = count / BitPacking.blockSize
        totalBlocks = fullBlocks
        if fullBlocks > 0, let skipBytes = try? reader.varint() {
            skipsStart = reader.offset
            reader.offset += skipBytes
        } else {
            skipsStart = reader.offset
        }
        blocksStart = reader.offset
        positionsStart = positions.offset
        self.positions = positions
        self.structure = structure
        self.variants = variants
        ownsPositions = structure != nil && variants.isEmpty
    }

    /// Whether the positions stream holds this cursor's positions (positional, not a stem's).
    private let ownsPositions: Bool

    /// Moves to the next document; false at the end.
    public mutating func next() throws(IndexError) -> Bool {
        if ownsPositions && !occurrencesRead { positionsBehind += frequency }
        guard remaining > 0 else { return false }
        remaining -= 1
        occurrencesRead = false
        if blockIndex < blockCount || fullBlocks > 0 {
            if blockIndex == blockCount { try decodeBlock() }
            doc = Int(docBlock[blockIndex])
            frequency = layout.frequencies ? Int(frequencyBlock[blockIndex]) + 1 : 1
            blockIndex += 1
        } else if layout.frequencies {
            let code = try reader.varint()
            doc += code >> 1 + 1
            frequency = code & 1 == 1 ? 1 : try reader.varint()
        } else {
            doc += try reader.varint() + 1
            frequency = 1
        }
        return true
    }

    /// Moves to the first document at or after `target` (staying when already there);
    /// false when there is none. Whole blocks before the target are jumped with the skip
    /// entries, their documents and positions never decoded.
    public mutating func advance(to target: Int) throws(IndexError) -> Bool {
        if doc >= target { return true }
        if totalBlocks > 0 {
            try loadSkips()
            let nextBlock = totalBlocks - fullBlocks
            let currentLast = nextBlock > 0 && blockIndex < blockCount ? skips.lastDocs[nextBlock - 1] : doc
            if target > currentLast {
                var k = nextBlock
                while k < totalBlocks, skips.lastDocs[k] < target { k += 1 }
                if k > nextBlock || blockIndex < blockCount { jump(toBlock: k) }
            }
        }
        // The block holding the target when the current one is used up (or was jumped
        // past): decoded here and scanned, not stepped through document by document.
        if blockIndex == blockCount, fullBlocks > 0 { try decodeBlock() }
        // Inside a decoded block: scan its documents (the positions passed are counted, not read).
        if blockIndex < blockCount, Int(docBlock[blockCount - 1]) >= target {
            var i = blockIndex
            while Int(docBlock[i]) < target { i += 1 }
            if ownsPositions {
                if !occurrencesRead { positionsBehind += frequency }
                for j in blockIndex..<i { positionsBehind += layout.frequencies ? Int(frequencyBlock[j]) + 1 : 1 }
            }
            remaining -= i - blockIndex + 1
            doc = Int(docBlock[i])
            frequency = layout.frequencies ? Int(frequencyBlock[i]) + 1 : 1
            blockIndex = i + 1
            occurrencesRead = false
            return true
        }
        while doc < target {
            guard try next() else { return false }
        }
        return true
    }

    private mutating func loadSkips() throws(IndexError) {
        if skips.lastDocs.isEmpty {
            skips = try SkipTable(reader.base, from: skipsStart, to: blocksStart, blocks: totalBlocks, layout: layout)
        }
    }

    // MARK: block-max

    /// The full block `next()` decodes next when the cursor stands between blocks; nil
    /// inside a block or in the tail.
    public var blockAhead: Int? { blockIndex == blockCount && fullBlocks > 0 ? totalBlocks - fullBlocks : nil }

    /// The best `score(frequency, fieldLength)` over full block `k`'s impacts (its skip
    /// entry's competitive pairs): for a score that grows with the frequency and falls with
    /// the length, no document of the block scores more. Nil for a field without impacts.
    public mutating func maxScore(ofBlock k: Int, _ score: (_ frequency: Int, _ fieldLength: Int) -> Double) throws(IndexError) -> Double? {
        guard layout.frequencies, layout.norms, k >= 0, k < totalBlocks else { return nil }
        try loadSkips()
        var best = -Double.infinity
        for i in Int(skips.impactStarts[k])..<Int(skips.impactStarts[k + 1]) {
            best = max(best, score(Int(skips.impactFrequencies[i]), Int(skips.impactNorms[i])))
        }
        return best
    }

    /// Jumps over the block ahead (`blockAhead`) without decoding it; the cursor stands on
    /// its last document, as if it had been read.
    public mutating func skipBlockAhead() throws(IndexError) {
        guard let k = blockAhead else { return }
        try loadSkips()
        jump(toBlock: k + 1)
    }

    /// Puts the cursor just before block `k` (`totalBlocks`: the tail).
    private mutating func jump(toBlock k: Int) {
        doc = k > 0 ? skips.lastDocs[k - 1] : -1
        reader.offset = blocksStart + (k > 0 ? skips.blockEnds[k - 1] : 0)
        fullBlocks = totalBlocks - k
        blockIndex = 0
        blockCount = 0
        remaining = count - k * BitPacking.blockSize
        if layout.positions, ownsPositions {
            positions.offset = positionsStart + (k > 0 ? skips.positionEnds[k - 1] : 0)
        }
        positionsBehind = 0
        occurrencesRead = true
    }

    private mutating func decodeBlock() throws(IndexError) {
        if docBlock.isEmpty {
            docBlock = [UInt32](repeating: 0, count: BitPacking.blockSize)
            if layout.frequencies { frequencyBlock = docBlock }
        }
        let base = reader.base
        guard reader.offset < base.count else { throw .corrupt("block past the end") }
        let width = Int(base[reader.offset])
        reader.offset += 1
        var frequencyWidth = 0
        if layout.frequencies {
            guard reader.offset < base.count else { throw .corrupt("block past the end") }
            frequencyWidth = Int(base[reader.offset])
            reader.offset += 1
        }
        var at = reader.offset
        // Deltas − 1 to documents, once per block: stepping and scanning read them directly.
        let previous = doc
        try docBlock.withUnsafeMutableBufferPointer { (out) throws(IndexError) in
            at = try BitPacking.unpack(base, at: at, width: width, into: out.baseAddress!)
            var running = previous
            for i in 0..<out.count {
                running += Int(out[i]) + 1
                out[i] = UInt32(truncatingIfNeeded: running)
            }
        }
        if layout.frequencies {
            try frequencyBlock.withUnsafeMutableBufferPointer { (out) throws(IndexError) in
                at = try BitPacking.unpack(base, at: at, width: frequencyWidth, into: out.baseAddress!)
            }
        }
        reader.offset = at
        fullBlocks -= 1
        blockIndex = 0
        blockCount = BitPacking.blockSize
    }

    /// The current document's positions as stored: they depend on nothing outside the
    /// document, so a merge copies them as they are.
    mutating func encodedPositions() throws(IndexError) -> UnsafeRawBufferPointer {
        guard ownsPositions, !occurrencesRead else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        try catchUpPositions()
        let start = positions.offset
        try skipOccurrences()
        return UnsafeRawBufferPointer(rebasing: positions.base[start..<positions.offset])
    }

    /// Steps over the current document's positions: `frequency` varints, counted by
    /// their last bytes.
    private mutating func skipOccurrences() throws(IndexError) {
        positions.offset = try endOfVarints(positionsBehind + frequency, in: positions.base, from: positions.offset)
        positionsBehind = 0
        occurrencesRead = true
    }

    /// Moves the positions stream to the current document's first position.
    private mutating func catchUpPositions() throws(IndexError) {
        guard positionsBehind > 0 else { return }
        positions.offset = try endOfVarints(positionsBehind, in: positions.base, from: positions.offset)
        positionsBehind = 0
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
        guard let structure, !occurrencesRead else { return }
        occurrencesRead = true
        guard variants.isEmpty else { return try variantOccurrences(appendingTo: &out) }
        out.reserveCapacity(out.count + frequency)
        var walker = try StructureWalker(structure.encoded(doc))
        try forEachPosition { (position) throws(IndexError) in out.append(try walker.occurrence(at: position)) }
    }

    /// The current document's positions in the field (positional fields only), ascending,
    /// without placing them in values, sentences and paragraphs: values lie
    /// `FieldStructure.valueGap` apart, so positions that follow each other are always in
    /// one value — what an exact phrase needs.
    public mutating func positions(appendingTo out: inout [Int32]) throws(IndexError) {
        guard structure != nil, !occurrencesRead else { return }
        occurrencesRead = true
        guard variants.isEmpty else {
            let start = out.count
            try forEachVariantOnDocument { (variant) throws(IndexError) in try variant.positions(appendingTo: &out) }
            if variants.count > 1 { out[start...].sort() }
            return
        }
        out.reserveCapacity(out.count + frequency)
        try forEachPosition { position in out.append(Int32(truncatingIfNeeded: position)) }
    }

    /// Reads the current document's positions from the positions stream: `frequency`
    /// varints, the first absolute, then deltas.
    private mutating func forEachPosition(_ body: (Int) throws(IndexError) -> Void) throws(IndexError) {
        try catchUpPositions()
        var position = 0
        for i in 0..<frequency {
            let delta = try positions.varint()
            position = i == 0 ? delta : position + delta
            try body(position)
        }
    }

    /// Calls `body` with each surface form's cursor that holds the current document (a
    /// stem's positions are its forms').
    private mutating func forEachVariantOnDocument(_ body: (inout PostingsCursor) throws(IndexError) -> Void) throws(IndexError) {
        for k in variants.indices where try variants[k].advance(to: doc) && variants[k].doc == doc {
            try body(&variants[k])
        }
    }

    /// Whether two of `positions` (ascending field positions of the current document, of
    /// any terms) with different `sides` (0 or 1) lie in one value and one sentence (or
    /// paragraph): one forward walk of the document's structure, which stops at the first
    /// such pair (positional fields only).
    public func shareUnit(_ positions: [Int32], sides: [UInt8], sentences: Bool) throws(IndexError) -> Bool {
        guard let structure else { return false }
        var walker = try StructureWalker(structure.encoded(doc))
        var unit: Int64 = -1
        var seen: UInt8 = 0
        for (position, side) in zip(positions, sides) {
            let next = try walker.unit(at: Int(position), sentences: sentences)
            if next != unit {
                unit = next
                seen = 0
            }
            seen |= 1 << side
            if seen == 3 { return true }
        }
        return false
    }

    /// A stem's occurrences: those of each surface form in this document, merged in
    /// position order (a position holds one token, so they never coincide).
    private mutating func variantOccurrences(appendingTo out: inout [Occurrence]) throws(IndexError) {
        let start = out.count
        try forEachVariantOnDocument { (variant) throws(IndexError) in try variant.occurrences(appendingTo: &out) }
        if variants.count > 1 {
            out[start...].sort { ($0.value, $0.position) < ($1.value, $1.position) }
        }
    }
}

/// A term's skip entries decoded: per full block its last document, and where its bytes
/// and its documents' positions end (relative to the first block and the term's first
/// position), and for text fields its impacts (`PostingsEncoder`): block `k`'s pairs are
/// `impactStarts[k]..<impactStarts[k + 1]` of `impactFrequencies` and `impactNorms`.
struct SkipTable {
    var lastDocs: [Int] = []
    var blockEnds: [Int] = []
    var positionEnds: [Int] = []
    var impactStarts: [Int32] = []
    var impactFrequencies: [UInt32] = []
    var impactNorms: [UInt32] = []

    init() {}

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, blocks: Int, layout: PostingsEncoder.Layout) throws(IndexError) {
        var reader = ByteReader(bytes, at: start)
        var last = -1
        var blockEnd = 0
        var positionEnd = 0
        lastDocs.reserveCapacity(blocks)
        blockEnds.reserveCapacity(blocks)
        for _ in 0..<blocks {
            guard reader.offset < end else { throw .corrupt("skip entries end early") }
            last += try reader.varint()
            blockEnd += try reader.varint()
            lastDocs.append(last)
            blockEnds.append(blockEnd)
            if layout.positions {
                positionEnd += try reader.varint()
                positionEnds.append(positionEnd)
            }
            if layout.frequencies && layout.norms {
                try readImpacts(&reader, end: end)
            } else if layout.frequencies {
                _ = try reader.varint()
            }
        }
        if layout.frequencies && layout.norms { impactStarts.append(Int32(clamping: impactFrequencies.count)) }
    }

    private mutating func readImpacts(_ reader: inout ByteReader, end: Int) throws(IndexError) {
        impactStarts.append(Int32(clamping: impactFrequencies.count))
        let count = try reader.varint()
        guard count <= BitPacking.blockSize else { throw .corrupt("a block has \(count) impacts") }
        var (frequency, norm) = (0, 0)
        for _ in 0..<count {
            guard reader.offset < end else { throw .corrupt("skip entries end early") }
            frequency &+= try reader.varint()
            norm &+= try reader.varint()
            impactFrequencies.append(UInt32(clamping: frequency))
            impactNorms.append(UInt32(clamping: norm))
        }
    }
}
