import Foundation
import Synchronization

/// A segment opened for reading: its two files memory-mapped, nothing decoded up front.
///
/// `seg-N.seg` (little-endian, sections 8-byte aligned):
///
///     "PSEG0005"
///     postings:    per term its documents (`PostingsEncoder` layout)
///     documents:   count, PN offsets + bytes, `Columns` (integer columns, BM25 length
///                  norms per text field at its narrowest width), then per document its
///                  `PNKey` (two u64), then the documents in `DateOrder` (u32 each)
///     structure:   per positional field present (`FieldStructure`)
///     dictionaries (one per field, and per text field a stem twin; `TermDictionary`)
///     footer:      u64 documents offset, u64 postings start, u64 structure offset per field,
///                  u64 dictionary offset per dictionary (0: none), u32 CRC-32 of all that
///                  precedes it, u32 0, "PSEGEND5"
///
/// `seg-N.pos`: "PPOS0005", per positional term and document the field positions of its
/// occurrences (varint first, then varint deltas), u32 CRC-32, "PPOSEND5".
///
/// Opening checks each file's marks and every section's bounds (a few reads: open stays
/// in milliseconds at millions of documents). Both files' CRC-32s are verified by
/// `verifyChecksums` — before a merge reads them, and by the server in the background
/// right after it first opens a generation (each file once per process): a damaged file
/// is an `IndexError.corrupt` naming it and `patents index --rebuild`.
public final class Segment: @unchecked Sendable {
    static let magic = "PSEG0005"
    static let endMagic = "PSEGEND5"
    static let positionsMagic = "PPOS0005"
    static let positionsEndMagic = "PPOSEND5"
    /// What earlier versions wrote first (an index to rebuild, not to read).
    static let oldMagics = ["PSEG0001", "PSEG0002", "PSEG0003", "PSEG0004", "PPOS0004"]
    static let dictionaryCount = IndexField.allCases.count * 2
    static let footerLength = 8 * (2 + IndexField.allCases.count + dictionaryCount) + 16

    static func dictionaryID(_ field: IndexField, stemmed: Bool) -> Int { Int(field.rawValue) * 2 + (stemmed ? 1 : 0) }
    static func field(of dictionaryID: Int) -> IndexField { IndexField(rawValue: UInt8(dictionaryID / 2))! }

    public let id: Int
    public let documentCount: Int
    private let directory: any IndexDirectory
    private let file: any IndexInput
    private let positionsFile: any IndexInput
    /// `file`'s bytes (mapped for the segment's life), without a call through the protocol per read.
    private let bytes: UnsafeRawBufferPointer
    private let pnOffsetsStart: Int
    private let pnBlobStart: Int
    /// Where the documents' `PNKey`s start.
    private let pnKeysStart: Int
    /// Where the documents in `DateOrder` start.
    private let dateOrderStart: Int
    /// The integer columns and BM25 field lengths of the segment's documents.
    public let columns: Columns
    private let dictionaries: [TermDictionary?]

    /// Opens segment `id` of `directory` (`seg-ID.seg` and `seg-ID.pos`).
    public init(directory: any IndexDirectory, id: Int) throws {
        self.id = id
        self.directory = directory
        let name = IndexManifest.segmentFile(id)
        file = try directory.open(name)
        positionsFile = try directory.open(IndexManifest.positionsFile(id))
        bytes = file.bytes
        try Self.checkEnds(bytes, magic: Self.magic, endMagic: Self.endMagic, name: name, minimum: 8 + Self.footerLength)
        try Self.checkEnds(positionsFile.bytes, magic: Self.positionsMagic, endMagic: Self.positionsEndMagic,
                           name: IndexManifest.positionsFile(id), minimum: 20)
        do {
            let reader = ByteReader(bytes)
            let footer = bytes.count - Self.footerLength
            let docsOffset = Int(try reader.uint64(at: footer))
            documentCount = Int(try reader.uint32(at: docsOffset))
            pnOffsetsStart = docsOffset + 4
            let pnBlobLength = Int(try reader.uint32(at: pnOffsetsStart + 4 * documentCount))
            pnBlobStart = pnOffsetsStart + 4 * documentCount + 4
            columns = try Columns(bytes, at: (pnBlobStart + pnBlobLength + 3) / 4 * 4, documents: documentCount)
            pnKeysStart = (columns.end + 7) / 8 * 8
            dateOrderStart = pnKeysStart + 16 * documentCount
            guard dateOrderStart + 4 * documentCount <= footer else {
                throw IndexError.corrupt("\(name): documents past the end")
            }
            var structures: [FieldStructure?] = []
            for field in IndexField.allCases {
                let offset = Int(try reader.uint64(at: footer + 16 + 8 * Int(field.rawValue)))
                structures.append(offset == 0 ? nil : try FieldStructure(bytes, at: offset))
            }
            let dictionariesStart = footer + 16 + 8 * IndexField.allCases.count
            var dictionaries: [TermDictionary?] = []
            for id in 0..<Self.dictionaryCount {
                let offset = Int(try reader.uint64(at: dictionariesStart + 8 * id))
                guard offset != 0 else { dictionaries.append(nil); continue }
                let field = Self.field(of: id)
                let stemmed = id % 2 == 1
                dictionaries.append(try TermDictionary(bytes, at: offset, positions: positionsFile.bytes,
                                                       layout: Self.layout(field, stemmed: stemmed),
                                                       structure: structures[Int(field.rawValue)],
                                                       surface: stemmed ? dictionaries[id - 1] : nil))
            }
            self.dictionaries = dictionaries
        } catch IndexError.corrupt(let detail) {
            throw Self.damaged(name, "is damaged (\(detail))")
        }
    }

    /// Verifies both files' CRC-32s (each file once per process).
    /// The pages read are let go as it goes (reading a file whole would otherwise leave
    /// it all resident).
    public func verifyChecksums() throws {
        try SegmentChecksums.verify(IndexManifest.segmentFile(id), of: directory, bytes: file.bytes,
                                    checksumAt: file.bytes.count - 16, release: file.releasePages)
        try SegmentChecksums.verify(IndexManifest.positionsFile(id), of: directory, bytes: positionsFile.bytes,
                                    checksumAt: positionsFile.bytes.count - 12, release: positionsFile.releasePages)
    }

    /// A damaged segment file, and what repairs it.
    static func damaged(_ name: String, _ problem: String) -> IndexError {
        .corrupt("\(name) \(problem); rebuild the index from the store with `patents index --rebuild`")
    }

    /// How a field's postings are laid out: keyword fields hold documents only; stems
    /// hold documents and frequencies (their positions are their surface forms').
    static func layout(_ field: IndexField, stemmed: Bool) -> PostingsEncoder.Layout {
        PostingsEncoder.Layout(frequencies: field.isPositional, positions: field.isPositional && !stemmed,
                               norms: field.kind == .text)
    }

    private static func checkEnds(_ bytes: UnsafeRawBufferPointer, magic: String, endMagic: String, name: String, minimum: Int) throws {
        let head = bytes.count >= 8 ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<8]), as: UTF8.self) : ""
        if oldMagics.contains(head) { throw IndexError.oldFormat }
        guard bytes.count >= minimum, head == magic,
              String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 8)...]), as: UTF8.self) == endMagic else {
            throw IndexError.corrupt("\(name) is not a complete segment file")
        }
    }

    public func pn(_ doc: Int) throws -> String {
        guard doc >= 0, doc < documentCount else { throw IndexError.corrupt("document \(doc) out of range") }
        let start = pnBlobStart + Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pnOffsetsStart + 4 * doc, as: UInt32.self)))
        var at = ByteReader(bytes, at: start)
        return try at.string()
    }

    /// A document's PN order key (`doc` below `documentCount`).
    @inline(__always)
    public func pnKey(_ doc: Int) -> PNKey {
        precondition(doc >= 0 && doc < documentCount, "document out of range")
        let at = pnKeysStart + 16 * doc
        return PNKey(high: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)),
                     low: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)))
    }

    /// The segment's documents in `DateOrder`.
    public func dateOrder() -> DateOrder.Documents {
        DateOrder.Documents(base: bytes.baseAddress.map { $0 + dateOrderStart }, count: documentCount)
    }

    /// The structure of a positional field (nil when no document has it).
    func structure(_ field: IndexField) -> FieldStructure? {
        dictionaries[Self.dictionaryID(field, stemmed: false)]?.structure
    }

    /// Drops the pages read so far from resident memory (see `IndexInput.releasePages`).
    func releasePages() {
        file.releasePages()
        positionsFile.releasePages()
    }

    /// The dictionary of a field (or of its stems), nil when the segment has no term in it.
    public func dictionary(_ field: IndexField, stemmed: Bool = false) -> TermDictionary? {
        dictionaries[Self.dictionaryID(field, stemmed: stemmed)]
    }
}

/// The segment files whose checksums this process has verified, by their directory's
/// identity of them (on disk: device, inode, size, modification time): an immutable
/// file is read in full once, not at every generation a searcher opens.
enum SegmentChecksums {
    private static let verified = Mutex<Set<String>>([])

    /// Checks the CRC-32 stored at `position` against the bytes before it, read 32 MB at a
    /// time with `release` called after each piece.
    static func verify(_ name: String, of directory: any IndexDirectory, bytes: UnsafeRawBufferPointer, checksumAt position: Int,
                       release: () -> Void) throws {
        let identity = directory.identity(of: name)
        if let identity, verified.withLock({ $0.contains(identity) }) { return }
        let stored = try ByteReader(bytes).uint32(at: position)
        var computed: UInt32 = 0
        var at = 0
        while at < position {
            let end = min(position, at + (32 << 20))
            computed = Checksum.update(computed, UnsafeRawBufferPointer(rebasing: bytes[at..<end]))
            release()
            at = end
        }
        guard stored == computed else {
            throw Segment.damaged(name, "fails its checksum (damaged on disk)")
        }
        if let identity { verified.withLock { _ = $0.insert(identity) } }
    }
}
