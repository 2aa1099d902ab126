/// PatentIngest: the way patents come in — format files read and written to the store
/// (`Importer`, `WritePipeline`), stored patents analysed into index documents
/// (`IndexDocument.init(_:families:)`) and the index brought up to date with the store
/// (`IndexUpdater`). The engine (`PatentIndex`) knows none of this.
///
/// This file: a stored patent as an index document.
import PatentAnalysis
import PatentIndex
import PatentModel

/// The family ids of a patent at the three levels (store numbering).
public struct FamilyIDs: Sendable, Equatable {
    public var docdb: Int?
    public var inpadoc: Int?
    public var extended: Int?
    public init(docdb: Int? = nil, inpadoc: Int? = nil, extended: Int? = nil) {
        self.docdb = docdb
        self.inpadoc = inpadoc
        self.extended = extended
    }
}

extension IndexDocument {
    /// Analyses a stored patent (QUERY.md §1, §7, §8).
    public init(_ patent: Patent, families: FamilyIDs = FamilyIDs()) {
        self.init(pn: patent.pn)
        // The original-language text, else the first language given; every other
        // language goes to the translations field (QUERY.md §7).
        let original = patent.resolvedOriginalLanguage
        func split<T>(_ items: [T], _ language: (T) -> String) -> (T?, [T]) {
            guard let index = items.firstIndex(where: { language($0) == original }) ?? items.indices.first else { return (nil, []) }
            var others = items
            let main = others.remove(at: index)
            return (main, others)
        }
        func add(_ field: IndexField, _ paragraphs: [String]) {
            let isTitle = field == .title || field == .titleTranslations
            let tokens = TextAnalyzer.tokens(paragraphs: paragraphs, linesStartParagraphs: !isTitle)
            if !tokens.isEmpty { values[field, default: []].append(tokens) }
        }
        let (title, titleTranslations) = split(patent.titles, \.language)
        if let title { add(.title, [title.text]) }
        for title in titleTranslations { add(.titleTranslations, [title.text]) }
        let (abstract, abstractTranslations) = split(patent.abstracts, \.language)
        if let abstract { add(.abstract, abstract.paragraphs) }
        for abstract in abstractTranslations { add(.abstractTranslations, abstract.paragraphs) }
        let (claims, claimsTranslations) = split(patent.claims, \.language)
        if let claims {
            add(.claims, claims.claims.map(\.text))
            add(.independentClaims, claims.claims.filter(\.isIndependent).map(\.text))
        }
        for claims in claimsTranslations {
            add(.claimsTranslations, claims.claims.map(\.text))
            add(.independentClaimsTranslations, claims.claims.filter(\.isIndependent).map(\.text))
        }
        let (description, descriptionTranslations) = split(patent.descriptions, \.language)
        if let description { add(.description, description.paragraphs.map(\.text)) }
        for description in descriptionTranslations { add(.descriptionTranslations, description.paragraphs.map(\.text)) }
        // AN = applicants ∪ assignees; each name, and each other spelling a source gives
        // of it, its own value (QUERY.md §8, §9).
        // A name listed twice counts twice, but for AN's union of two lists.
        func addNames(_ field: IndexField, _ parties: [Party], unique: Bool = false) {
            var names: [String] = []
            for party in parties where !(unique && names.contains(party.name)) { names.append(party.name) }
            for party in parties {
                for variant in party.variants where !names.contains(variant) { names.append(variant) }
            }
            for name in names { add(field, [name]) }
        }
        addNames(.applicants, patent.applicants + patent.assignees, unique: true)
        addNames(.inventors, patent.inventors)
        addNames(.agents, patent.agents)

        keywords[.publicationNumber] = NumberTerms.publication(patent.publication)
        if let application = patent.application { keywords[.applicationNumber] = NumberTerms.application(application) }
        keywords[.priorityNumber] = patent.priorities.flatMap(NumberTerms.application)
        if !patent.publication.kind.isEmpty { keywords[.kindCode] = [patent.publication.kind] }
        keywords[.authority] = [patent.publication.office]
        keywords[.patentType] = [patent.type.rawValue]
        keywords[.ipc] = ClassificationTerms.terms(for: patent.ipc)
        keywords[.cpc] = ClassificationTerms.terms(for: patent.cpc)
        if let id = families.docdb { keywords[.docdbFamily] = [String(id)] }
        if let id = families.inpadoc { keywords[.inpadocFamily] = [String(id)] }
        if let id = families.extended { keywords[.extendedFamily] = [String(id)] }

        dates[Column.applicationDate.rawValue] = Int32(patent.application?.date?.value ?? 0)
        dates[Column.publicationDate.rawValue] = Int32(patent.publicationDate?.value ?? 0)
        dates[Column.grantDate.rawValue] = Int32(patent.issueDate?.value ?? 0)
        dates[Column.priorityDate.rawValue] = Int32(patent.priorityDate?.value ?? 0)
        dates[Column.docdbFamily.rawValue] = Int32(exactly: families.docdb ?? 0) ?? 0
        dates[Column.inpadocFamily.rawValue] = Int32(exactly: families.inpadoc ?? 0) ?? 0
        dates[Column.extendedFamily.rawValue] = Int32(exactly: families.extended ?? 0) ?? 0
        dates[Column.office.rawValue] = Column.pack(patent.publication.office)
        dates[Column.kind.rawValue] = Column.pack(patent.publication.kind)
        dates[Column.patentType.rawValue] = Column.pack(patent.type.rawValue)
    }
}

/// Exact terms for numbers (QUERY.md §3 and §8): a publication is found by its full
/// number and without kind code; an application or priority with and without the
/// office prefix. Leading zeros never matter (the normalised forms have none).
public enum NumberTerms {
    public static func publication(_ number: PublicationNumber) -> [String] {
        number.kind.isEmpty ? [number.withoutKind] : [number.normalized, number.withoutKind]
    }

    public static func application(_ reference: DocumentReference) -> [String] {
        let key = reference.key
        let serial = String(key.dropFirst(NumberNormalizer.office(reference.office).count))
        return serial.isEmpty ? [key] : [key, serial]
    }
}

/// Exact terms for IPC/CPC codes: the code and every ancestor in the hierarchy, so a
/// query code matches itself and everything below it (QUERY.md §8): `H01M10/0525`
/// gives H, H01, H01M, H01M10, H01M10/05, H01M10/052, H01M10/0525.
public enum ClassificationTerms {
    public static func terms(for codes: [String]) -> [String] {
        var terms: [String] = []
        var seen = Set<String>()
        for code in codes {
            for term in hierarchy(code) where seen.insert(term).inserted { terms.append(term) }
        }
        return terms
    }

    public static func hierarchy(_ code: String) -> [String] {
        // Codes are ASCII: bytes are characters (but for CR LF, one character).
        if code.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            return hierarchy(Array(code.utf8), slash: UInt8(ascii: "/"), zero: UInt8(ascii: "0")) { String(decoding: $0, as: UTF8.self) }
        }
        return characterHierarchy(code)
    }

    /// The same, character by character (any code).
    static func characterHierarchy(_ code: String) -> [String] { hierarchy(Array(code), slash: "/", zero: "0") { String($0) } }

    private static func hierarchy<Unit: Equatable>(_ units: [Unit], slash: Unit, zero: Unit, text: (ArraySlice<Unit>) -> String) -> [String] {
        guard !units.isEmpty else { return [] }
        var out = [text(units[0..<1])]
        if units.count >= 3 { out.append(text(units[0..<3])) }
        if units.count >= 4 { out.append(text(units[0..<4])) }
        guard units.count > 4 else { return out }
        let parts = units[4...].split(separator: slash, maxSplits: 1)
        guard let group = parts.first else { return out }
        let main = text(units[0..<4]) + text(group)
        out.append(main)
        if parts.count == 2 {
            let subgroup = parts[1]
            // Subgroup digits extend each other (05 ⊇ 052 ⊇ 0525); "00" is the main group itself.
            if !(subgroup.count == 2 && subgroup.allSatisfy { $0 == zero }), subgroup.count >= 2 {
                for length in 2...subgroup.count { out.append(main + "/" + text(subgroup.prefix(length))) }
            }
        }
        return out
    }
}
