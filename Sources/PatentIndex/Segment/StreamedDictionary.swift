/// A merged dictionary written as its terms arrive rather than held: a merge of
/// millions of documents has tens of millions of terms (numbers in several spellings,
/// classes, names), which as arrays would cost some 36 bytes each. Each term's fixed
/// columns go to a scratch file as one record, its bytes and a stem's surface forms to
/// two more; `finish` copies them into `TermDictionary`'s layout column by column and
/// writes the reversed-term order merged from the inputs' own (`ReversedOrderMerge`).
/// Memory holds one merged number per input term, for that order.
final class StreamedDictionary {
    private let directory: any IndexDirectory
    private let names: [String]
    private var records: IndexOutput
    private var terms: IndexOutput
    private var forms: IndexOutput
    private(set) var count = 0
    private var termBytes = 0
    private var formCount = 0
    private let hasPositions: Bool
    private let hasVariants: Bool
    /// u32 term end, u64 postings offset, u64 positions offset, u32 document
    /// frequency, u32 end of the stem's forms.
    private static let recordSize = 28

    init(_ directory: any IndexDirectory, scratch base: String, hasPositions: Bool, hasVariants: Bool) throws {
        self.directory = directory
        names = ["records", "terms", "forms"].map { "\(base).\($0)" }
        records = try IndexOutput(directory, names[0])
        terms = try IndexOutput(directory, names[1])
        forms = try IndexOutput(directory, names[2])
        self.hasPositions = hasPositions
        self.hasVariants = hasVariants
    }

    deinit { for name in names { try? directory.remove(name) } }

    func add(_ term: UnsafeRawBufferPointer, postings: UInt64, positions: UInt64?, frequency: UInt32, forms stemForms: [UInt32]) {
        terms.append(term)
        termBytes += term.count
        for form in stemForms { forms.uint32(form) }
        formCount += stemForms.count
        records.uint32(UInt32(termBytes))
        records.uint64(postings)
        records.uint64(positions ?? 0)
        records.uint32(frequency)
        records.uint32(UInt32(formCount))
        count += 1
    }

    /// Writes the dictionary at `out`'s current position (8-byte aligned).
    func finish(into out: inout IndexOutput, reversedOrder: some Sequence<UInt32>) throws {
        for output in [records, terms, forms] { try output.finish() }
        guard count > 0 else { throw IndexError.corrupt("an empty dictionary is not written") }
        let recordFile = try directory.open(names[0])
        let start = out.count
        SegmentLayout.writeDictionaryHeader(into: &out, count: count, termBytes: termBytes, hasPositions: hasPositions,
                                            hasVariants: hasVariants, variantCount: formCount)
        column(recordFile, at: 0, width: 4, into: &out)
        // Empty files cannot be opened (a mapping needs a byte): no bytes, nothing to copy.
        if termBytes > 0 { copy(try directory.open(names[1]), into: &out) }
        while (out.count - start) % 8 != 0 { out.byte(0) }
        column(recordFile, at: 4, width: 8, into: &out)
        if hasPositions { column(recordFile, at: 12, width: 8, into: &out) }
        column(recordFile, at: 20, width: 4, into: &out)
        var written = 0
        for term in reversedOrder {
            out.uint32(term)
            written += 1
        }
        guard written == count else { throw IndexError.corrupt("reversed-term order of \(written) terms for \(count)") }
        if hasVariants {
            column(recordFile, at: 24, width: 4, into: &out)
            if formCount > 0 { copy(try directory.open(names[2]), into: &out) }
        }
    }

    /// One field of every record, in order; the pages read are let go as it goes.
    private func column(_ file: any IndexInput, at offset: Int, width: Int, into out: inout IndexOutput) {
        guard count > 0 else { return }
        var piece = [UInt8]()
        piece.reserveCapacity(1 << 16)
        for k in 0..<count {
            let at = k * Self.recordSize + offset
            piece.append(contentsOf: UnsafeRawBufferPointer(rebasing: file.bytes[at..<(at + width)]))
            if piece.count >= 1 << 16 {
                out.append(piece)
                piece.removeAll(keepingCapacity: true)
            }
            if k % (1 << 20) == 0 { file.releasePages() }
        }
        out.append(piece)
        file.releasePages()
    }

    private func copy(_ file: any IndexInput, into out: inout IndexOutput) {
        var at = 0
        while at < file.bytes.count {
            let end = min(file.bytes.count, at + (1 << 20))
            out.append(UnsafeRawBufferPointer(rebasing: file.bytes[at..<end]))
            file.releasePages()
            at = end
        }
    }
}
