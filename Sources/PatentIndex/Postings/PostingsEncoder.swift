/// Encodes one term's document list in the postings format, one document at a time.
///
/// A term with `n` documents has `n / 128` full blocks and a tail of `n % 128`:
///
///     skip entries (only when there is a full block): varint byte length, then per block
///         varint (last doc − previous block's last doc), varint block bytes,
///         [varint position bytes of the block's documents], then its score bounds:
///         text fields: its impacts — varint n, then n pairs (frequency, field length),
///             frequencies and lengths both ascending, each stored as the step from the
///             pair before (the first from 0): the (frequency, length) pairs no other
///             document of the block beats with a frequency as high and a length as short
///             (Lucene's competitive impacts); a BM25 score bound is the best of them
///         other fields with frequencies: [varint max frequency]
///     full blocks: u8 doc width, [u8 frequency width], 128 doc deltas − 1 bit-packed,
///         [128 frequencies − 1 bit-packed]
///     tail: per document varint (delta − 1) << 1 | (frequency == 1), then varint
///         frequency when it is not 1; keyword fields: varint delta − 1 alone
///
/// Parts in brackets exist only when the field has them (keyword fields hold documents
/// only). Skip entries let a reader jump whole blocks and their positions (part 2 of
/// the engine); a sequential reader steps over them by their length.
struct PostingsEncoder {
    struct Layout: Equatable {
        var frequencies: Bool
        var positions: Bool
        var norms: Bool
    }

    let layout: Layout
    private var skips = ByteWriter()
    private var blocks = ByteWriter()
    private var docs: [UInt32] = []
    private var frequencies: [UInt32] = []
    private var blockPositionBytes = 0
    /// The block's documents' field lengths (text fields).
    private var norms: [UInt32] = []
    /// The last document of the previous block (−1 before the first).
    private var previousBlockEnd: Int64 = -1
    private var scratch = [UInt32](repeating: 0, count: BitPacking.blockSize)
    /// Documents added since the last `write`.
    private(set) var count = 0

    init(_ layout: Layout) {
        self.layout = layout
        docs.reserveCapacity(BitPacking.blockSize)
        frequencies.reserveCapacity(BitPacking.blockSize)
    }

    /// Adds the next document (ascending): its frequency, the bytes its positions take in
    /// the positions stream, and its length in the field (for the block's score bound).
    mutating func add(doc: Int32, frequency: Int, positionBytes: Int = 0, norm: UInt32 = 0) {
        docs.append(UInt32(bitPattern: doc))
        frequencies.append(UInt32(clamping: frequency))
        blockPositionBytes += positionBytes
        if layout.norms { norms.append(norm) }
        count += 1
        if docs.count == BitPacking.blockSize { encodeBlock() }
    }

    private mutating func encodeBlock() {
        let start = blocks.count
        var previous = previousBlockEnd
        for i in 0..<docs.count {
            scratch[i] = UInt32(truncatingIfNeeded: Int64(docs[i]) - previous - 1)
            previous = Int64(docs[i])
        }
        scratch.withUnsafeBufferPointer { deltas in
            let width = BitPacking.width(deltas)
            blocks.byte(UInt8(width))
            if layout.frequencies {
                for i in 0..<frequencies.count { frequencies[i] -= 1 }
                frequencies.withUnsafeBufferPointer { values in
                    let frequencyWidth = BitPacking.width(values)
                    blocks.byte(UInt8(frequencyWidth))
                    BitPacking.pack(deltas, width: width, into: &blocks)
                    BitPacking.pack(values, width: frequencyWidth, into: &blocks)
                }
            } else {
                BitPacking.pack(deltas, width: width, into: &blocks)
            }
        }
        skips.varint(Int(previous - previousBlockEnd))
        skips.varint(blocks.count - start)
        if layout.positions { skips.varint(blockPositionBytes) }
        if layout.frequencies && layout.norms {
            writeImpacts()
        } else if layout.frequencies {
            skips.varint(Int(frequencies.max() ?? 0) + 1)
        }
        previousBlockEnd = previous
        docs.removeAll(keepingCapacity: true)
        frequencies.removeAll(keepingCapacity: true)
        norms.removeAll(keepingCapacity: true)
        blockPositionBytes = 0
    }

    /// The block's competitive (frequency, length) pairs (`frequencies` hold frequency − 1
    /// here): by frequency descending, a pair is kept when its length is shorter than every
    /// kept pair's; written in ascending order as steps.
    private mutating func writeImpacts() {
        var pairs = zip(frequencies, norms).map { (frequency: $0 + 1, norm: $1) }
        pairs.sort { $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.norm < $1.norm }
        var frontier: [(frequency: UInt32, norm: UInt32)] = []
        for pair in pairs where frontier.last.map({ pair.norm < $0.norm }) ?? true { frontier.append(pair) }
        skips.varint(frontier.count)
        var previous: (frequency: UInt32, norm: UInt32) = (0, 0)
        for pair in frontier.reversed() {
            skips.varint(Int(pair.frequency - previous.frequency))
            skips.varint(Int(pair.norm - previous.norm))
            previous = pair
        }
    }

    /// Writes the term's entry (skip entries, blocks, tail) and makes the encoder ready
    /// for the next term.
    mutating func write<Sink: ByteSink>(into out: inout Sink) {
        if count >= BitPacking.blockSize {
            out.varint(skips.count)
            out.append(skips.bytes)
        }
        out.append(blocks.bytes)
        var previous = previousBlockEnd
        for (doc, frequency) in zip(docs, frequencies) {
            let delta = Int(Int64(doc) - previous - 1)
            if layout.frequencies {
                out.varint(delta << 1 | (frequency == 1 ? 1 : 0))
                if frequency != 1 { out.varint(Int(frequency)) }
            } else {
                out.varint(delta)
            }
            previous = Int64(doc)
        }
        skips.removeAll()
        blocks.removeAll()
        docs.removeAll(keepingCapacity: true)
        frequencies.removeAll(keepingCapacity: true)
        norms.removeAll(keepingCapacity: true)
        blockPositionBytes = 0
        previousBlockEnd = -1
        count = 0
    }
}
