import CZstd
import Foundation
import Synchronization

/// The compact binary form in which the store keeps a `Patent` (form 4):
///
///     0x04, a byte with a bit per section present (bit 0 bibliographic … bit 4
///     citations), then the present sections in this order, each
///         varint header = stored length << 1 | compressed
///         [varint original length, when compressed]
///         stored bytes (zstd level 1 when that made them smaller)
///     bibliographic · abstracts · claims · descriptions · citations
///
/// A part a patent lacks (no claims, no citations) takes no byte at all. The store keeps
/// two such values per patent (`Stored`): the record (bibliographic, abstracts, citations)
/// and the text (claims, descriptions — the same layout without a bibliographic section)
/// in a column of its own, so that SQLite never reads full text for bibliographic fields.
/// Inside a section every field comes in a fixed order: strings as varint length + UTF-8,
/// counts and numbers as varints, optional values behind a presence byte. A reader that
/// needs only some parts (`Parts`: an export of bibliographic fields, the indexer of a
/// field set) steps over the other sections by their lengths without decompressing or
/// decoding them, so a 13-field export of a full-text store never touches its claims and
/// descriptions. zstd because full text shrinks to about 40 % and decompresses at GB/s
/// (Debian's libzstd); per section so that skipping stays free; only sections of
/// `compressionThreshold` bytes or more, because zstd's cost per call (some microseconds)
/// outweighs what it saves on a bibliographic record's few hundred bytes.
///
/// Earlier forms are still read: 3 (the same sections in one value), 2 and 1 (one
/// sequential run of every field, 1 without the parties' other spellings) and the JSON of
/// the first versions (`{`). A field added
/// to `Patent` must be added here too, in a new form byte: `PatentRecordCodecTests`
/// round-trip every fixture patent and fail on a field left out.
public enum PatentRecordCodec {
    public static let formatByte: UInt8 = 0x04
    /// Form 3: the same sections, all in one value (claims and descriptions not apart).
    static let sectionsTogether: UInt8 = 0x03
    static let sequentialFormat: UInt8 = 0x02
    static let sequentialWithoutVariants: UInt8 = 0x01

    /// The parts of a record beyond its bibliographic data, which is always read.
    public struct Parts: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let abstracts = Parts(rawValue: 1)
        public static let claims = Parts(rawValue: 2)
        public static let descriptions = Parts(rawValue: 4)
        public static let citations = Parts(rawValue: 8)
        public static let all: Parts = [.abstracts, .claims, .descriptions, .citations]
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(offset: Int)
        case unknownFormat(UInt8)

        public var description: String {
            switch self {
            case .malformed(let offset): return "stored patent record malformed at byte \(offset)"
            case .unknownFormat(let byte): return "stored patent record of an unknown format (first byte \(byte))"
            }
        }
    }

    /// Sections smaller than this are stored as they are.
    static let compressionThreshold = 512
    /// The largest section a record may declare (a description of some 10 M characters
    /// is far beyond any office's); a damaged length never sizes an allocation.
    static let largestSection = 256 << 20

    /// A patent as the store keeps it, in two values: `record` (bibliographic data,
    /// abstracts, citations) and `text` (claims and descriptions; nil when the patent has
    /// neither). The store puts `text` in a column of its own, so that reading records for
    /// bibliographic fields never reads full text from disk.
    public struct Stored: Sendable, Equatable {
        public let record: Data
        public let text: Data?
    }

    public static func encode(_ patent: Patent) -> Stored {
        let text = patent.claims.isEmpty && patent.descriptions.isEmpty ? nil : Data(blob(patent, sections: [2, 3]))
        return Stored(record: Data(blob(patent, sections: [0, 1, 4])), text: text)
    }

    /// The format byte, the mask of the sections present among `sections`, the sections.
    private static func blob(_ patent: Patent, sections: [Int]) -> [UInt8] {
        let writers: [(inout RecordWriter, Patent) -> Void] = [
            { $0.bibliographic($1) }, { $0.abstracts($1) }, { $0.claims($1) }, { $0.descriptions($1) }, { $0.citations($1) },
        ]
        let isPresent = [true, !patent.abstracts.isEmpty, !patent.claims.isEmpty, !patent.descriptions.isEmpty, !patent.citations.isEmpty]
        let present = sections.filter { isPresent[$0] }
        var out = RecordWriter()
        out.bytes.reserveCapacity(1_024)
        out.bytes.append(formatByte)
        out.bytes.append(present.reduce(UInt8(0)) { $0 | 1 << UInt8($1) })
        var section = RecordWriter()
        for index in present {
            section.bytes.removeAll(keepingCapacity: true)
            writers[index](&section, patent)
            out.section(section.bytes)
        }
        return out.bytes
    }

    /// Reads what `encode` wrote.
    public static func decode(_ stored: Stored, parts: Parts = .all) throws -> Patent {
        try decode(stored.record, text: stored.text, parts: parts)
    }

    /// Reads a record in any form (with its `text` when stored apart); with `parts`, a
    /// form-3 or -4 record leaves the parts not asked for empty (a patent read so is for
    /// reading, never for writing back).
    public static func decode(_ data: Data, text: Data? = nil, parts: Parts = .all) throws -> Patent {
        guard let first = data.first else { throw Failure.malformed(offset: 0) }
        if first == UInt8(ascii: "{") { return try JSONDecoder().decode(Patent.self, from: data) }
        guard first == formatByte || first == sectionsTogether || first == sequentialFormat || first == sequentialWithoutVariants else {
            throw Failure.unknownFormat(first)
        }
        var patent = Patent(publication: PublicationNumber(stored: "", number: "", kind: ""))
        try data.withUnsafeBytes { bytes in
            try read(bytes, into: &patent, parts: parts, record: first)
        }
        if let text, !parts.isDisjoint(with: [.claims, .descriptions]) {
            guard text.first == formatByte else { throw Failure.unknownFormat(text.first ?? 0) }
            try text.withUnsafeBytes { bytes in try read(bytes, into: &patent, parts: parts, record: nil) }
        }
        return patent
    }

    /// Whether a record is in the current form (the store converts the others in place).
    public static func isCurrent(_ data: Data) -> Bool { data.first == formatByte }

    /// One stored value read whole into `patent`: a record of form `record`, or (nil) a text.
    private static func read(_ bytes: UnsafeRawBufferPointer, into patent: inout Patent, parts: Parts,
                             record: UInt8?) throws(Failure) {
        var reader = RecordReader(bytes: bytes, offset: 1)
        if let record, record != formatByte, record != sectionsTogether {
            patent = try reader.sequentialPatent(withVariants: record == sequentialFormat)
        } else {
            try sections(&reader, into: &patent, parts: parts, bibliographic: record != nil)
        }
        guard reader.offset == bytes.count else { throw .malformed(offset: reader.offset) }
    }

    /// The sections a mask announces, read into `patent` (or stepped over when not in
    /// `parts`); the bibliographic section is required in a record and absent from a text.
    private static func sections(_ reader: inout RecordReader, into patent: inout Patent, parts: Parts,
                                 bibliographic: Bool) throws(Failure) {
        let maskAt = reader.offset
        let present = try reader.byte()
        guard present & 1 == (bibliographic ? 1 : 0), present < 1 << 5 else { throw .malformed(offset: maskAt) }
        if present & 1 != 0 { patent = try reader.section { (r: inout RecordReader) throws(Failure) in try r.bibliographic() } }
        if present & 2 != 0 {
            try reader.section(if: parts.contains(.abstracts)) { (r: inout RecordReader) throws(Failure) in patent.abstracts = try r.abstracts() }
        }
        if present & 4 != 0 {
            try reader.section(if: parts.contains(.claims)) { (r: inout RecordReader) throws(Failure) in patent.claims = try r.claimSets() }
        }
        if present & 8 != 0 {
            try reader.section(if: parts.contains(.descriptions)) { (r: inout RecordReader) throws(Failure) in patent.descriptions = try r.descriptions() }
        }
        if present & 16 != 0 {
            try reader.section(if: parts.contains(.citations)) { (r: inout RecordReader) throws(Failure) in patent.citations = try r.citations() }
        }
    }

    /// zstd level 1 of `bytes`, or nil when that is not smaller.
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let written = compressionContexts.with { context in
            bytes.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { target in
                    ZSTD_compressCCtx(context, target.baseAddress, target.count, source.baseAddress, source.count, 1)
                }
            }
        }
        guard let written, ZSTD_isError(written) == 0, written < bytes.count else { return nil }
        out.removeLast(out.count - written)
        return out
    }

    /// The original bytes of a compressed section, exactly `length` of them.
    static func decompress(_ bytes: UnsafeRawBufferPointer, length: Int) -> [UInt8]? {
        guard length > 0, length <= largestSection else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        let written = decompressionContexts.with { context in
            out.withUnsafeMutableBytes { target in
                ZSTD_decompressDCtx(context, target.baseAddress, target.count, bytes.baseAddress, bytes.count)
            }
        }
        guard let written, ZSTD_isError(written) == 0, written == length else { return nil }
        return out
    }
}

/// zstd contexts kept for reuse: making one per call (what `ZSTD_compress` does) costs
/// more than compressing a record's section.
private let compressionContexts = ContextPool(make: { ZSTD_createCCtx() })
private let decompressionContexts = ContextPool(make: { ZSTD_createDCtx() })

/// Contexts handed to one caller at a time; as many exist as were ever used at once.
/// Nil when zstd cannot allocate one (out of memory): the caller stores or reads nothing.
private final class ContextPool: Sendable {
    /// Free contexts as addresses (a pointer is not `Sendable`; each is used by one thread at a time).
    private let free = Mutex<[UInt]>([])
    private let make: @Sendable () -> OpaquePointer?

    init(make: @escaping @Sendable () -> OpaquePointer?) { self.make = make }

    func with<T>(_ body: (OpaquePointer) -> T) -> T? {
        let kept = free.withLock { $0.popLast() }.flatMap { OpaquePointer(bitPattern: $0) }
        guard let context = kept ?? make() else { return nil }
        defer { free.withLock { $0.append(UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(context)))) } }
        return body(context)
    }
}

extension PublicationNumber {
    /// A number exactly as stored (already normalised when it was first built).
    init(stored office: String, number: String, kind: String) {
        self.office = office
        self.number = number
        self.kind = kind
    }
}
