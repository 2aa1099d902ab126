/// PatentModel: the one patent record every import format maps into, and the
/// normalisation rules (numbers, dates, classifications) shared by all modules.
///
/// A `Patent` keeps what the offices publish without loss: every text field is
/// stored per language (original plus translations), claims one by one,
/// descriptions as an ordered list of headings and paragraphs.

/// One published patent document, keyed by its normalised publication number.
public struct Patent: Codable, Sendable, Equatable {
    public var publication: PublicationNumber
    public var application: DocumentReference?
    public var publicationDate: PatentDate?
    /// Date of grant; set for grant kinds only (QUERY.md §8: ISD exists for grant kinds only).
    public var grantDate: PatentDate?
    public var type: PatentType
    /// The language the source declares (ISO 639-1, lower case), see `resolvedOriginalLanguage`.
    public var originalLanguage: String?

    public var titles: [LocalizedText]
    public var abstracts: [LocalizedParagraphs]
    public var claims: [ClaimSet]
    public var descriptions: [Description]

    public var applicants: [Party]
    public var assignees: [Party]
    public var inventors: [Party]
    public var agents: [Party]

    /// IPC codes in the normalised form `H01M10/0525` (see `Classification.normalise`).
    public var ipc: [String]
    /// CPC codes in the same normalised form.
    public var cpc: [String]
    /// Classifications of other schemes (USPC, FI, F-term, ECLA, Locarno, …) as published.
    public var otherClassifications: [SchemeCode]

    public var priorities: [DocumentReference]
    public var relatedDocuments: [RelatedDocument]
    public var citations: [Citation]
    /// The DOCDB simple-family id given by the source (EPO OPS, DOCDB, MAREC, USPTO PPUBS).
    public var docdbFamilyID: String?

    public init(publication: PublicationNumber) {
        self.publication = publication
        self.application = nil
        self.publicationDate = nil
        self.grantDate = nil
        self.type = .unknown
        self.originalLanguage = nil
        self.titles = []
        self.abstracts = []
        self.claims = []
        self.descriptions = []
        self.applicants = []
        self.assignees = []
        self.inventors = []
        self.agents = []
        self.ipc = []
        self.cpc = []
        self.otherClassifications = []
        self.priorities = []
        self.relatedDocuments = []
        self.citations = []
        self.docdbFamilyID = nil
    }

    /// The normalised publication number, the store's key (`US10047600B2`).
    public var pn: String { publication.normalized }

    /// True when the record holds claims or description text in any language.
    public var hasFullText: Bool {
        claims.contains { !$0.claims.isEmpty } || descriptions.contains { !$0.paragraphs.isEmpty }
    }

    /// QUERY.md §8: the language the source declares; if none, English when the
    /// document has English text, else the first language the source lists.
    public var resolvedOriginalLanguage: String? {
        // MAREC's "XX" ("unknown") and an empty value declare nothing (QUERY.md §9).
        if let originalLanguage, !originalLanguage.isEmpty, originalLanguage.uppercased() != "XX" { return originalLanguage }
        let languages = titles.map(\.language) + abstracts.map(\.language)
            + claims.map(\.language) + descriptions.map(\.language)
        if languages.contains("en") { return "en" }
        return languages.first
    }

    /// QUERY.md §8: the earliest priority date, else the application date.
    public var priorityDate: PatentDate? {
        priorities.compactMap(\.date).min() ?? application?.date
    }
}

/// Patent type as PatSnap's PATENT_TYPE field knows it (QUERY.md §8).
public enum PatentType: String, Codable, Sendable, CaseIterable {
    /// An application publication (A).
    case application = "A"
    /// A granted invention patent (B).
    case grantedInvention = "B"
    /// A utility model (U).
    case utilityModel = "U"
    /// A design patent or registered design (D).
    case design = "D"
    /// Plant patents, reissues, SIRs and anything else an office publishes.
    case other = "O"
    case unknown = "?"
}

/// A text in one language. `language` is an ISO 639-1 code in lower case.
public struct LocalizedText: Codable, Sendable, Equatable {
    public var language: String
    public var text: String
    public init(language: String, text: String) {
        self.language = language
        self.text = text
    }
}

/// A text made of paragraphs (abstracts) in one language.
public struct LocalizedParagraphs: Codable, Sendable, Equatable {
    public var language: String
    public var paragraphs: [String]
    public init(language: String, paragraphs: [String]) {
        self.language = language
        self.paragraphs = paragraphs
    }
}

/// The claims of a patent in one language.
public struct ClaimSet: Codable, Sendable, Equatable {
    public var language: String
    public var claims: [Claim]
    public init(language: String, claims: [Claim]) {
        self.language = language
        self.claims = claims
    }
}

/// One claim: its number, its text, and the claims it refers to.
public struct Claim: Codable, Sendable, Equatable {
    public var number: Int
    public var text: String
    /// Numbers of the claims this claim refers to; empty for an independent claim.
    public var refersTo: [Int]
    public var isIndependent: Bool { refersTo.isEmpty }
    public init(number: Int, text: String, refersTo: [Int] = []) {
        self.number = number
        self.text = text
        self.refersTo = refersTo
    }
}

/// A description in one language: headings and paragraphs in document order.
public struct Description: Codable, Sendable, Equatable {
    public var language: String
    public var paragraphs: [DescriptionParagraph]
    public init(language: String, paragraphs: [DescriptionParagraph]) {
        self.language = language
        self.paragraphs = paragraphs
    }
}

public struct DescriptionParagraph: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case heading, paragraph }
    public var kind: Kind
    public var text: String
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// An applicant, assignee, inventor or agent.
public struct Party: Codable, Sendable, Equatable {
    /// The spelling shown and exported: the source's original one where it gives several.
    public var name: String
    /// ISO 3166 country code where the source gives one.
    public var country: String?
    /// The other spellings the source gives for the same party (MAREC/OPS `epo`,
    /// `intermediate`, `docdb`, `epodoc` forms): searchable, each as a value of its own,
    /// never displayed (QUERY.md §9).
    public var variants: [String]

    public init(name: String, country: String? = nil, variants: [String] = []) {
        self.name = name
        self.country = country
        self.variants = variants
    }

    private enum CodingKeys: String, CodingKey { case name, country, variants }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        country = try container.decodeIfPresent(String.self, forKey: .country)
        variants = try container.decodeIfPresent([String].self, forKey: .variants) ?? []
    }

    /// Variants only where there are some (`patents show` stays as it was for most parties).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(country, forKey: .country)
        if !variants.isEmpty { try container.encode(variants, forKey: .variants) }
    }
}

/// A classification code of a scheme other than IPC/CPC.
public struct SchemeCode: Codable, Sendable, Equatable {
    public var scheme: String
    public var code: String
    public init(scheme: String, code: String) {
        self.scheme = scheme
        self.code = code
    }
}

/// A reference to an application or priority: office, number, optional kind and date.
public struct DocumentReference: Codable, Sendable, Equatable {
    public var office: String
    public var number: String
    public var kind: String?
    public var date: PatentDate?
    public init(office: String, number: String, kind: String? = nil, date: PatentDate? = nil) {
        self.office = office
        self.number = number
        self.kind = kind
        self.date = date
    }

    /// The office-prefixed number used to compare references across sources
    /// (see `NumberNormalizer.applicationKey`).
    public var key: String { NumberNormalizer.applicationKey(office: office, number: number, kind: kind) }
}

/// A link to a related document: continuation, division, reissue, …
public struct RelatedDocument: Codable, Sendable, Equatable {
    public var relation: String
    public var document: DocumentReference
    public init(relation: String, document: DocumentReference) {
        self.relation = relation
        self.document = document
    }
}

/// A cited document: a patent (by number) or non-patent literature (by text).
public struct Citation: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case patent, nonPatent }
    public var kind: Kind
    /// Normalised number for patent citations (`DE3546191A1`), nil for literature.
    public var number: String?
    /// The citation text for literature; for patents, extra text the source gives.
    public var text: String?
    /// Who cited: examiner, applicant, … where the source says so.
    public var citedBy: String?
    public init(kind: Kind, number: String? = nil, text: String? = nil, citedBy: String? = nil) {
        self.kind = kind
        self.number = number
        self.text = text
        self.citedBy = citedBy
    }
}
