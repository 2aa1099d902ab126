import Foundation

/// The compact binary form in which the store keeps a `Patent`: every field in a fixed
/// order, strings as varint length + UTF-8, counts and numbers as varints, optional
/// values behind a presence byte. Decoding it is an order of magnitude cheaper than
/// JSON through `Codable` (the index build and exports decode every record).
///
/// The first byte is `formatByte`; a record beginning with `{` is the JSON of earlier
/// versions and is still read (`decode` accepts both). A field added to `Patent` must be
/// added here too, at the end, with a new format byte: `PatentRecordCodecTests` round-trip
/// every fixture patent and fail on a field left out.
public enum PatentRecordCodec {
    /// 2: parties' other spellings at the end; records of form 1 (without them) are read.
    static let formatByte: UInt8 = 0x02
    static let formatWithoutVariants: UInt8 = 0x01

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

    public static func encode(_ patent: Patent) -> Data {
        var out = Writer()
        out.bytes.reserveCapacity(1_024)
        out.bytes.append(formatByte)
        out.string(patent.publication.office)
        out.string(patent.publication.number)
        out.string(patent.publication.kind)
        out.optional(patent.application) { $0.reference($1) }
        out.date(patent.publicationDate)
        out.date(patent.grantDate)
        out.string(patent.type.rawValue)
        out.optional(patent.originalLanguage) { $0.string($1) }
        out.array(patent.titles) { $0.string($1.language); $0.string($1.text) }
        out.array(patent.abstracts) { out, abstract in
            out.string(abstract.language)
            out.array(abstract.paragraphs) { $0.string($1) }
        }
        out.array(patent.claims) { out, set in
            out.string(set.language)
            out.array(set.claims) { out, claim in
                out.integer(claim.number)
                out.string(claim.text)
                out.array(claim.refersTo) { $0.integer($1) }
            }
        }
        out.array(patent.descriptions) { out, description in
            out.string(description.language)
            out.array(description.paragraphs) { $0.bytes.append($1.kind == .heading ? 0 : 1); $0.string($1.text) }
        }
        for parties in [patent.applicants, patent.assignees, patent.inventors, patent.agents] {
            out.array(parties) { out, party in
                out.string(party.name)
                out.optional(party.country) { $0.string($1) }
            }
        }
        out.array(patent.ipc) { $0.string($1) }
        out.array(patent.cpc) { $0.string($1) }
        out.array(patent.otherClassifications) { $0.string($1.scheme); $0.string($1.code) }
        out.array(patent.priorities) { $0.reference($1) }
        out.array(patent.relatedDocuments) { $0.string($1.relation); $0.reference($1.document) }
        out.array(patent.citations) { out, citation in
            out.bytes.append(citation.kind == .patent ? 0 : 1)
            out.optional(citation.number) { $0.string($1) }
            out.optional(citation.text) { $0.string($1) }
            out.optional(citation.citedBy) { $0.string($1) }
        }
        out.optional(patent.docdbFamilyID) { $0.string($1) }
        for parties in [patent.applicants, patent.assignees, patent.inventors, patent.agents] {
            out.array(parties) { out, party in out.array(party.variants) { $0.string($1) } }
        }
        return Data(out.bytes)
    }

    /// Reads a record in this form or in the JSON of earlier versions.
    public static func decode(_ data: Data) throws -> Patent {
        guard let first = data.first else { throw Failure.malformed(offset: 0) }
        if first == UInt8(ascii: "{") { return try JSONDecoder().decode(Patent.self, from: data) }
        guard first == formatByte || first == formatWithoutVariants else { throw Failure.unknownFormat(first) }
        return try data.withUnsafeBytes { bytes throws(Failure) in
            var reader = Reader(bytes: bytes, offset: 1)
            var patent = try reader.patent()
            if first == formatByte { try reader.partyVariants(of: &patent) }
            guard reader.offset == bytes.count else { throw .malformed(offset: reader.offset) }
            return patent
        }
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        /// Zig-zag, so that negative numbers stay short.
        mutating func integer(_ value: Int) { varint(UInt64(bitPattern: Int64(value << 1 ^ value >> 63))) }

        mutating func string(_ value: String) {
            varint(UInt64(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        }

        mutating func date(_ value: PatentDate?) { varint(UInt64(value?.value ?? 0)) }

        mutating func optional<T>(_ value: T?, _ write: (inout Writer, T) -> Void) {
            guard let value else { return bytes.append(0) }
            bytes.append(1)
            write(&self, value)
        }

        mutating func array<T>(_ values: [T], _ write: (inout Writer, T) -> Void) {
            varint(UInt64(values.count))
            for value in values { write(&self, value) }
        }

        mutating func reference(_ reference: DocumentReference) {
            string(reference.office)
            string(reference.number)
            optional(reference.kind) { $0.string($1) }
            date(reference.date)
        }
    }

    /// Bounds-checked reading: a damaged record is a `Failure` naming the byte, never a
    /// crash or an allocation sized by garbage.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset: Int

        mutating func byte() throws(Failure) -> UInt8 {
            guard offset < bytes.count else { throw .malformed(offset: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(Failure) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw .malformed(offset: offset) }
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }

        mutating func integer() throws(Failure) -> Int {
            let raw = try varint()
            return Int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
        }

        /// A count of items each taking at least one byte: never more than the bytes left.
        mutating func count() throws(Failure) -> Int {
            let start = offset
            let value = try varint()
            guard value <= UInt64(bytes.count - offset) else { throw .malformed(offset: start) }
            return Int(value)
        }

        mutating func string() throws(Failure) -> String {
            let length = try count()
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
        }

        mutating func date() throws(Failure) -> PatentDate? {
            let start = offset
            let value = try varint()
            guard value != 0 else { return nil }
            guard value < 100_000_000, let date = PatentDate(year: Int(value / 10_000), month: Int(value / 100 % 100), day: Int(value % 100)) else {
                throw .malformed(offset: start)
            }
            return date
        }

        mutating func flag() throws(Failure) -> Bool {
            let start = offset
            switch try byte() {
            case 0: return false
            case 1: return true
            default: throw .malformed(offset: start)
            }
        }

        mutating func optionalString() throws(Failure) -> String? { try flag() ? try string() : nil }

        mutating func array<T>(_ read: (inout Reader) throws(Failure) -> T) throws(Failure) -> [T] {
            let n = try count()
            var out: [T] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try read(&self)) }
            return out
        }

        mutating func reference() throws(Failure) -> DocumentReference {
            DocumentReference(office: try string(), number: try string(), kind: try optionalString(), date: try date())
        }

        mutating func parties() throws(Failure) -> [Party] {
            try array { (r: inout Reader) throws(Failure) in Party(name: try r.string(), country: try r.optionalString()) }
        }

        /// Each party list's spellings, party by party (one list per party of the record).
        mutating func partyVariants(of patent: inout Patent) throws(Failure) {
            for path in [\Patent.applicants, \.assignees, \.inventors, \.agents] as [WritableKeyPath<Patent, [Party]>] {
                let start = offset
                let lists = try array { (r: inout Reader) throws(Failure) in try r.array { (r: inout Reader) throws(Failure) in try r.string() } }
                guard lists.count == patent[keyPath: path].count else { throw .malformed(offset: start) }
                for (i, variants) in lists.enumerated() { patent[keyPath: path][i].variants = variants }
            }
        }

        mutating func patent() throws(Failure) -> Patent {
            var patent = Patent(publication: PublicationNumber(stored: try string(), number: try string(), kind: try string()))
            patent.application = try flag() ? try reference() : nil
            patent.publicationDate = try date()
            patent.grantDate = try date()
            let typeStart = offset
            guard let type = PatentType(rawValue: try string()) else { throw .malformed(offset: typeStart) }
            patent.type = type
            patent.originalLanguage = try optionalString()
            patent.titles = try array { (r: inout Reader) throws(Failure) in LocalizedText(language: try r.string(), text: try r.string()) }
            patent.abstracts = try array { (r: inout Reader) throws(Failure) in
                LocalizedParagraphs(language: try r.string(), paragraphs: try r.array { (r: inout Reader) throws(Failure) in try r.string() })
            }
            patent.claims = try array { (r: inout Reader) throws(Failure) in
                ClaimSet(language: try r.string(), claims: try r.array { (r: inout Reader) throws(Failure) in
                    Claim(number: try r.integer(), text: try r.string(),
                          refersTo: try r.array { (r: inout Reader) throws(Failure) in try r.integer() })
                })
            }
            patent.descriptions = try array { (r: inout Reader) throws(Failure) in
                Description(language: try r.string(), paragraphs: try r.array { (r: inout Reader) throws(Failure) in
                    let kindStart = r.offset
                    let kind = try r.byte()
                    guard kind <= 1 else { throw .malformed(offset: kindStart) }
                    return DescriptionParagraph(kind == 0 ? .heading : .paragraph, try r.string())
                })
            }
            patent.applicants = try parties()
            patent.assignees = try parties()
            patent.inventors = try parties()
            patent.agents = try parties()
            patent.ipc = try array { (r: inout Reader) throws(Failure) in try r.string() }
            patent.cpc = try array { (r: inout Reader) throws(Failure) in try r.string() }
            patent.otherClassifications = try array { (r: inout Reader) throws(Failure) in SchemeCode(scheme: try r.string(), code: try r.string()) }
            patent.priorities = try array { (r: inout Reader) throws(Failure) in try r.reference() }
            patent.relatedDocuments = try array { (r: inout Reader) throws(Failure) in
                RelatedDocument(relation: try r.string(), document: try r.reference())
            }
            patent.citations = try array { (r: inout Reader) throws(Failure) in
                let kind: Citation.Kind = try r.flag() ? .nonPatent : .patent
                return Citation(kind: kind, number: try r.optionalString(), text: try r.optionalString(), citedBy: try r.optionalString())
            }
            patent.docdbFamilyID = try optionalString()
            return patent
        }
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
