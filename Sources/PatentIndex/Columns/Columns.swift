/// A segment's columns (Tantivy's fast fields, Lucene's doc values): per document a
/// 32-bit value for each `Column` — dates as `yyyyMMdd` (0: none), family ids (0: none),
/// office, kind and type packed as ASCII — and the BM25 length norm of each text field.
/// Read by filters, collapse, ordering and scoring without touching the store or the
/// postings.
///
/// Layout (4-byte aligned, little-endian): for each column in `Column` order, one value
/// per document; then per text field (`IndexField.textFields`) a u32 byte width (1, 2 or
/// 4: the narrowest that holds the field's longest value in the segment); then per text
/// field its norms, one per document at that width, padded to 4 bytes. Norms stay exact;
/// titles and abstracts take one or two bytes a document instead of four, which is what a
/// scorer's loads of scattered documents' norms cost (cache misses).
public struct Columns: @unchecked Sendable {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let valuesStart: Int
    @usableFromInline let documentCount: Int
    /// Per text field: where its norms start and their width in bytes.
    @usableFromInline let normStarts: [Int]
    @usableFromInline let normWidths: [Int]
    /// Where the columns end.
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, documents: Int) throws(IndexError) {
        self.bytes = bytes
        valuesStart = offset
        documentCount = documents
        let widthsStart = offset + 4 * documents * Column.allCases.count
        let fields = IndexField.textFields.count
        guard widthsStart >= 0, widthsStart + 4 * fields <= bytes.count else { throw .corrupt("columns past the end") }
        var starts: [Int] = []
        var widths: [Int] = []
        var at = widthsStart + 4 * fields
        for index in 0..<fields {
            let width = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: widthsStart + 4 * index, as: UInt32.self)))
            guard width == 1 || width == 2 || width == 4 else { throw .corrupt("norm width \(width)") }
            starts.append(at)
            widths.append(width)
            at += Self.paddedLength(documents: documents, width: width)
        }
        normStarts = starts
        normWidths = widths
        end = at
    }

    /// Bytes of one field's norms at `width`, padded to 4.
    private static func paddedLength(documents: Int, width: Int) -> Int { (documents * width + 3) / 4 * 4 }

    /// Writes the columns of `count` documents: `column(doc, column)` and
    /// `norm(doc, index in IndexField.textFields)`.
    static func write(into out: inout some ByteSink, count: Int, column: (Int, Column) -> Int32, norm: (Int, Int) -> UInt32) {
        out.align(to: 4)
        for value in Column.allCases { for doc in 0..<count { out.int32(column(doc, value)) } }
        let widths = IndexField.textFields.indices.map { index in
            let longest = (0..<count).reduce(UInt32(0)) { max($0, norm($1, index)) }
            return longest <= UInt32(UInt8.max) ? 1 : (longest <= UInt32(UInt16.max) ? 2 : 4)
        }
        for width in widths { out.uint32(UInt32(width)) }
        for (index, width) in widths.enumerated() {
            for doc in 0..<count {
                let value = norm(doc, index)
                switch width {
                case 1: out.byte(UInt8(truncatingIfNeeded: value))
                case 2: withUnsafeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian) { out.append($0) }
                default: out.uint32(value)
                }
            }
            out.align(to: 4)
        }
    }

    /// A document's value in a column.
    @inlinable
    public func value(_ doc: Int, _ column: Column) -> Int32 { values(column)[Int32(truncatingIfNeeded: doc)] }

    /// One column's values, for reading many documents' (filters and ordering in a
    /// search's inner loop).
    @inlinable
    public func values(_ column: Column) -> ColumnValues {
        ColumnValues(base: bytes.baseAddress.map { $0 + valuesStart + 4 * column.rawValue * documentCount })
    }

    /// Where each field's norms are among the text fields (-1 for other fields), by raw value.
    @usableFromInline static let normSlots: [Int] = IndexField.allCases.map { IndexField.textFields.firstIndex(of: $0) ?? -1 }

    /// Tokens of a text field in a document (BM25 document length).
    @inlinable
    public func norm(_ doc: Int, _ field: IndexField) -> Int { norms(field)[Int32(truncatingIfNeeded: doc)] }

    /// A text field's norms, for reading many documents' (a scorer's inner loop).
    @inlinable
    public func norms(_ field: IndexField) -> NormColumn {
        let index = Self.normSlots[Int(field.rawValue)]
        guard index >= 0 else { return NormColumn(base: nil, width: 4) }
        return NormColumn(base: bytes.baseAddress.map { $0 + normStarts[index] }, width: normWidths[index])
    }

    /// The sum of a text field's norms over the documents in `deleted` (what a segment's
    /// stored sum, `IndexManifest.SegmentEntry.normSums`, takes off).
    public func normSum(_ field: IndexField, of deleted: DeletionSet) -> Int {
        var sum = 0
        deleted.forEach { sum += norm($0, field) }
        return sum
    }

    /// The sum of a text field's norms over the documents not in `deleted`: one pass over
    /// the field's norm column (for segments whose manifest entry has no stored sums).
    public func normSum(_ field: IndexField, excluding deleted: DeletionSet) -> Int {
        let column = norms(field)
        var sum = 0
        for doc in 0..<Int32(documentCount) { sum += column[doc] }
        return sum - normSum(field, of: deleted)
    }
}

/// One text field's norm per document (`Columns.norms`); 0 for a field without norms.
public struct NormColumn {
    @usableFromInline let base: UnsafeRawPointer?
    @usableFromInline let width: Int

    @usableFromInline init(base: UnsafeRawPointer?, width: Int) {
        self.base = base
        self.width = width
    }

    @inlinable
    public subscript(_ doc: Int32) -> Int {
        guard let base else { return 0 }
        switch width {
        case 1: return Int(base.load(fromByteOffset: Int(doc), as: UInt8.self))
        case 2: return Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * Int(doc), as: UInt16.self)))
        default: return Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * Int(doc), as: UInt32.self)))
        }
    }
}

/// One integer column's value per document (`Columns.values`).
public struct ColumnValues {
    @usableFromInline let base: UnsafeRawPointer?

    @usableFromInline init(base: UnsafeRawPointer?) { self.base = base }

    @inlinable
    public subscript(_ doc: Int32) -> Int32 {
        guard let base else { return 0 }
        return Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * Int(doc), as: Int32.self))
    }
}
