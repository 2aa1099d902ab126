/// The byte-level writing and bounds-checked reading of `PatentRecordCodec`'s forms.

/// Writes a record's fields in the codec's order.
struct RecordWriter {
    var bytes: [UInt8] = []

    /// A section: its header, then its bytes compressed when that makes them smaller.
    mutating func section(_ content: [UInt8]) {
        if content.count >= PatentRecordCodec.compressionThreshold, let compressed = PatentRecordCodec.compress(content) {
            varint(UInt64(compressed.count) << 1 | 1)
            varint(UInt64(content.count))
            bytes.append(contentsOf: compressed)
        } else {
            varint(UInt64(content.count) << 1)
            bytes.append(contentsOf: content)
        }
    }

    mutating func bibliographic(_ patent: Patent) {
        string(patent.publication.office)
        string(patent.publication.number)
        string(patent.publication.kind)
        optional(patent.application) { $0.reference($1) }
        date(patent.publicationDate)
        date(patent.grantDate)
        string(patent.type.rawValue)
        optional(patent.originalLanguage) { $0.string($1) }
        array(patent.titles) { $0.string($1.language); $0.string($1.text) }
        for parties in [patent.applicants, patent.assignees, patent.inventors, patent.agents] {
            array(parties) { out, party in
                out.string(party.name)
                out.optional(party.country) { $0.string($1) }
                out.array(party.variants) { $0.string($1) }
            }
        }
        array(patent.ipc) { $0.string($1) }
        array(patent.cpc) { $0.string($1) }
        array(patent.otherClassifications) { $0.string($1.scheme); $0.string($1.code) }
        array(patent.priorities) { $0.reference($1) }
        array(patent.relatedDocuments) { $0.string($1.relation); $0.reference($1.document) }
        optional(patent.docdbFamilyID) { $0.string($1) }
    }

    mutating func abstracts(_ patent: Patent) {
        array(patent.abstracts) { out, abstract in
            out.string(abstract.language)
            out.array(abstract.paragraphs) { $0.string($1) }
        }
    }

    mutating func claims(_ patent: Patent) {
        array(patent.claims) { out, set in
            out.string(set.language)
            out.array(set.claims) { out, claim in
                out.integer(claim.number)
                out.string(claim.text)
                out.array(claim.refersTo) { $0.integer($1) }
            }
        }
    }

    mutating func descriptions(_ patent: Patent) {
        array(patent.descriptions) { out, description in
            out.string(description.language)
            out.array(description.paragraphs) { $0.bytes.append($1.kind == .heading ? 0 : 1); $0.string($1.text) }
        }
    }

    mutating func citations(_ patent: Patent) {
        array(patent.citations) { out, citation in
            out.bytes.append(citation.kind == .patent ? 0 : 1)
            out.optional(citation.number) { $0.string($1) }
            out.optional(citation.text) { $0.string($1) }
            out.optional(citation.citedBy) { $0.string($1) }
        }
    }

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

    mutating func optional<T>(_ value: T?, _ write: (inout RecordWriter, T) -> Void) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(&self, value)
    }

    mutating func array<T>(_ values: [T], _ write: (inout RecordWriter, T) -> Void) {
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
struct RecordReader {
    typealias Failure = PatentRecordCodec.Failure
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    /// Reads the next section with `body` (over its decompressed bytes when compressed),
    /// or steps over it when `wanted` is false. The section must be read to its end.
    mutating func section(if wanted: Bool = true, _ body: (inout RecordReader) throws(Failure) -> Void) throws(Failure) {
        let start = offset
        let header = try varint()
        let compressed = header & 1 == 1
        let originalLength = compressed ? try varint() : 0
        guard header >> 1 <= UInt64(bytes.count - offset) else { throw .malformed(offset: start) }
        let stored = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(header >> 1))])
        offset += stored.count
        guard wanted else { return }
        if compressed {
            guard originalLength <= UInt64(PatentRecordCodec.largestSection),
                  let content = PatentRecordCodec.decompress(stored, length: Int(originalLength)) else { throw .malformed(offset: start) }
            let outcome = content.withUnsafeBytes { content in
                Result { () throws(Failure) in try Self.readWhole(content, at: start, body) }
            }
            try outcome.get()
        } else {
            try Self.readWhole(stored, at: start, body)
        }
    }

    mutating func section<T>(_ body: (inout RecordReader) throws(Failure) -> T) throws(Failure) -> T {
        var value: T?
        try section { (r: inout RecordReader) throws(Failure) in value = try body(&r) }
        return value!
    }

    /// Runs `body` over a section's bytes; what it leaves unread is damage at the section's start.
    private static func readWhole(_ content: UnsafeRawBufferPointer, at start: Int,
                                  _ body: (inout RecordReader) throws(Failure) -> Void) throws(Failure) {
        var inner = RecordReader(bytes: content, offset: 0)
        do {
            try body(&inner)
        } catch {
            throw .malformed(offset: start)
        }
        guard inner.offset == content.count else { throw .malformed(offset: start) }
    }

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

    mutating func array<T>(_ read: (inout RecordReader) throws(Failure) -> T) throws(Failure) -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }

    mutating func strings() throws(Failure) -> [String] {
        try array { (r: inout RecordReader) throws(Failure) in try r.string() }
    }

    mutating func reference() throws(Failure) -> DocumentReference {
        DocumentReference(office: try string(), number: try string(), kind: try optionalString(), date: try date())
    }

    /// Form 3's bibliographic section.
    mutating func bibliographic() throws(Failure) -> Patent {
        var patent = try head()
        for path in Self.partyLists {
            patent[keyPath: path] = try array { (r: inout RecordReader) throws(Failure) in
                Party(name: try r.string(), country: try r.optionalString(), variants: try r.strings())
            }
        }
        try classesAndRelations(&patent)
        patent.docdbFamilyID = try optionalString()
        return patent
    }

    /// Forms 1 and 2: every field in one run, the parties' spellings (form 2) at the end.
    mutating func sequentialPatent(withVariants: Bool) throws(Failure) -> Patent {
        var patent = try head()
        patent.abstracts = try abstracts()
        patent.claims = try claimSets()
        patent.descriptions = try descriptions()
        for path in Self.partyLists {
            patent[keyPath: path] = try array { (r: inout RecordReader) throws(Failure) in Party(name: try r.string(), country: try r.optionalString()) }
        }
        try classesAndRelations(&patent)
        patent.citations = try citations()
        patent.docdbFamilyID = try optionalString()
        guard withVariants else { return patent }
        for path in Self.partyLists {
            let start = offset
            let lists = try array { (r: inout RecordReader) throws(Failure) in try r.strings() }
            guard lists.count == patent[keyPath: path].count else { throw .malformed(offset: start) }
            for (i, variants) in lists.enumerated() { patent[keyPath: path][i].variants = variants }
        }
        return patent
    }

    private static var partyLists: [WritableKeyPath<Patent, [Party]>] { [\.applicants, \.assignees, \.inventors, \.agents] }

    /// Number, application, dates, type, language and titles: how every form begins.
    private mutating func head() throws(Failure) -> Patent {
        var patent = Patent(publication: PublicationNumber(stored: try string(), number: try string(), kind: try string()))
        patent.application = try flag() ? try reference() : nil
        patent.publicationDate = try date()
        patent.grantDate = try date()
        let typeStart = offset
        guard let type = PatentType(rawValue: try string()) else { throw .malformed(offset: typeStart) }
        patent.type = type
        patent.originalLanguage = try optionalString()
        patent.titles = try array { (r: inout RecordReader) throws(Failure) in LocalizedText(language: try r.string(), text: try r.string()) }
        return patent
    }

    private mutating func classesAndRelations(_ patent: inout Patent) throws(Failure) {
        patent.ipc = try strings()
        patent.cpc = try strings()
        patent.otherClassifications = try array { (r: inout RecordReader) throws(Failure) in SchemeCode(scheme: try r.string(), code: try r.string()) }
        patent.priorities = try array { (r: inout RecordReader) throws(Failure) in try r.reference() }
        patent.relatedDocuments = try array { (r: inout RecordReader) throws(Failure) in
            RelatedDocument(relation: try r.string(), document: try r.reference())
        }
    }

    mutating func abstracts() throws(Failure) -> [LocalizedParagraphs] {
        try array { (r: inout RecordReader) throws(Failure) in LocalizedParagraphs(language: try r.string(), paragraphs: try r.strings()) }
    }

    mutating func claimSets() throws(Failure) -> [ClaimSet] {
        try array { (r: inout RecordReader) throws(Failure) in
            ClaimSet(language: try r.string(), claims: try r.array { (r: inout RecordReader) throws(Failure) in
                Claim(number: try r.integer(), text: try r.string(), refersTo: try r.array { (r: inout RecordReader) throws(Failure) in try r.integer() })
            })
        }
    }

    mutating func descriptions() throws(Failure) -> [Description] {
        try array { (r: inout RecordReader) throws(Failure) in
            Description(language: try r.string(), paragraphs: try r.array { (r: inout RecordReader) throws(Failure) in
                let kindStart = r.offset
                let kind = try r.byte()
                guard kind <= 1 else { throw .malformed(offset: kindStart) }
                return DescriptionParagraph(kind == 0 ? .heading : .paragraph, try r.string())
            })
        }
    }

    mutating func citations() throws(Failure) -> [Citation] {
        try array { (r: inout RecordReader) throws(Failure) in
            let kind: Citation.Kind = try r.flag() ? .nonPatent : .patent
            return Citation(kind: kind, number: try r.optionalString(), text: try r.optionalString(), citedBy: try r.optionalString())
        }
    }
}
