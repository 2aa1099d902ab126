/// The fields a segment holds. Text and party fields are positional (tokens with
/// value, position, sentence, paragraph); text fields also have a stemmed twin;
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

    public enum Kind: Sendable { case text, party, keyword }

    public var kind: Kind {
        switch self {
        case .title, .abstract, .claims, .independentClaims, .description,
             .titleTranslations, .abstractTranslations, .claimsTranslations, .independentClaimsTranslations,
             .descriptionTranslations: return .text
        case .applicants, .inventors, .agents: return .party
        default: return .keyword
        }
    }

    public var isPositional: Bool { kind != .keyword }

    public static func < (lhs: IndexField, rhs: IndexField) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Text fields in index order; the BM25 length norms are kept for these.
    public static let textFields: [IndexField] = allCases.filter { $0.kind == .text }

    /// BM25 field weights of QUERY.md §5: TTL 3, ABST 2, CLMS 1.5, DESC 1.
    public var weight: Double {
        switch self {
        case .title, .titleTranslations: return 3
        case .abstract, .abstractTranslations: return 2
        case .claims, .claimsTranslations, .independentClaims, .independentClaimsTranslations: return 1.5
        case .description, .descriptionTranslations: return 1
        default: return 0
        }
    }
}

/// Date columns kept per document (yyyyMMdd, 0 when the patent has none).
public enum DateColumn: Int, CaseIterable, Sendable {
    case applicationDate, publicationDate, grantDate, priorityDate

}
