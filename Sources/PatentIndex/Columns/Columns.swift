/// A segment's columns (Tantivy's fast fields, Lucene's doc values): per document a
/// 32-bit value for each `Column` — dates as `yyyyMMdd` (0: none), family ids (0: none),
/// office, kind and type packed as ASCII — and the BM25 length norm of each text field.
/// Read by filters, collapse, ordering and scoring without touching the store or the
/// postings.
///
/// Layout (4-byte aligned, little-endian): for each column in `Column` order, one value
/// per document; then for each of `IndexField.textFields`, one norm per document.
public struct Columns: @unchecked Sendable {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline let valuesStart: Int
    @usableFromInline let normsStart: Int
    @usableFromInline let documentCount: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int, documents: Int) {
        self.bytes = bytes
        valuesStart = offset
        normsStart = offset + 4 * documents * Column.allCases.count
        documentCount = documents
    }

    /// Where the columns end (the caller checks it lies within the file).
    var end: Int { normsStart + 4 * documentCount * IndexField.textFields.count }

    /// Writes the columns of `count` documents: `column(doc, column)` and
    /// `norm(doc, index in IndexField.textFields)`.
    static func write(into out: inout some ByteSink, count: Int, column: (Int, Column) -> Int32, norm: (Int, Int) -> UInt32) {
        out.align(to: 4)
        for value in Column.allCases { for doc in 0..<count { out.int32(column(doc, value)) } }
        for index in IndexField.textFields.indices { for doc in 0..<count { out.uint32(norm(doc, index)) } }
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
        guard index >= 0 else { return NormColumn(base: nil) }
        return NormColumn(base: bytes.baseAddress.map { $0 + normsStart + 4 * index * documentCount })
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

    @usableFromInline init(base: UnsafeRawPointer?) { self.base = base }

    @inlinable
    public subscript(_ doc: Int32) -> Int {
        guard let base else { return 0 }
        return Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * Int(doc), as: UInt32.self)))
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
