/// The fields a segment holds, by their dictionary slot; what each holds and who
/// searches it is `IndexSchema`'s table. Text and party fields are positional (tokens
/// with value, position, sentence, paragraph); text fields also have a stemmed twin;
/// keyword fields hold exact terms without positions.
public enum IndexField: UInt8, CaseIterable, Sendable, Comparable {
    // Text in the original language (one value per field; CLMS: claims as paragraphs).
    case title, abstract, claims, independentClaims, description
    // Stored translations: the languages other than the original, one value each.
    // `TTL_ALL` searches `title` and `titleTranslations` together.
    case titleTranslations, abstractTranslations, claimsTranslations, independentClaimsTranslations, descriptionTranslations
    // Parties: every name its own value.
    case applicants, inventors, agents
    // Exact terms.
    case publicationNumber, applicationNumber, priorityNumber, kindCode, authority, patentType, ipc, cpc
    case docdbFamily, inpadocFamily, extendedFamily

    public enum Kind: String, Sendable { case text, party, keyword }

    /// How the field is analysed and stored (`IndexSchema`).
    @inline(__always) public var kind: Kind { Self.kinds[Int(rawValue)] }
    private static let kinds = IndexSchema.current.fields.map(\.kind)

    public var isPositional: Bool { kind != .keyword }

    public static func < (lhs: IndexField, rhs: IndexField) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Text fields in index order; the BM25 length norms are kept for these.
    public static let textFields: [IndexField] = allCases.filter { $0.kind == .text }

    /// BM25 field weight (`IndexSchema`; QUERY.md §5: TTL 3, ABST 2, CLMS 1.5, DESC 1).
    public var weight: Double { Self.weights[Int(rawValue)] }
    private static let weights = IndexSchema.current.fields.map(\.weight)
}

/// Integer columns kept per document: dates (`yyyyMMdd`, 0 when the patent has none),
/// family ids (0 when none), and office, kind and type packed as ASCII codes (for
/// collapse and filters without touching the store).
public enum Column: Int, CaseIterable, Sendable {
    case applicationDate, publicationDate, grantDate, priorityDate
    case docdbFamily, inpadocFamily, extendedFamily
    case office, kind, patentType

    /// Up to four ASCII characters in one integer (`US` → 0x5553).
    public static func pack(_ text: String) -> Int32 {
        var value: Int32 = 0
        for byte in text.utf8.prefix(4) { value = value << 8 | Int32(byte) }
        return value
    }

    public static func unpack(_ value: Int32) -> String {
        var bytes: [UInt8] = []
        var v = value
        while v != 0 {
            bytes.insert(UInt8(v & 0xFF), at: 0)
            v >>= 8
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
