/// PatentExport: what an export file holds for one patent and the streaming writers
/// of the file formats (API.md "Export files"). It knows nothing of tasks, HTTP or
/// the index: it turns records into field values and field values into bytes.
import PatentModel
import PatentQuery

/// One field's value in an export row.
public enum ExportValue: Sendable, Equatable {
    /// A single value; nil when the patent has none.
    case single(String?)
    /// A multi-valued field (parties, classes, priorities, claims); empty when none.
    case list([String])

    /// The values as a list, whatever the shape.
    public var values: [String] {
        switch self {
        case .single(let value): return value.map { [$0] } ?? []
        case .list(let values): return values
        }
    }
}

/// Which language of a text field an export writes (QUERY.md §7): `lang` first, then
/// `trans_lang`, then the original language, then whatever the record holds.
public struct ExportLanguages: Sendable, Equatable {
    /// PatSnap's language codes and the ISO 639-1 codes records store.
    public static let codes: [String: String] = ["cn": "zh", "en": "en", "jp": "ja", "de": "de", "fr": "fr", "kr": "ko"]
    /// `lang` accepts every code; `trans_lang` only cn, en, jp (API.md).
    public static let translationCodes: Set<String> = ["cn", "en", "jp"]

    public var preferred: String
    public var translation: String

    /// From PatSnap codes (`cn`, `jp`, …); both default to `en`.
    public init(lang: String = "en", transLang: String = "en") {
        preferred = Self.codes[lang] ?? lang
        translation = Self.codes[transLang] ?? transLang
    }

    /// The index of the entry to use among entries in these languages, nil when there are none.
    func pick(_ languages: [String], original: String?) -> Int? {
        for wanted in [preferred, translation, original] {
            if let wanted, let index = languages.firstIndex(of: wanted) { return index }
        }
        return languages.isEmpty ? nil : 0
    }
}

/// A stored patent with the family ids the store computed for it: everything an export
/// row is made from.
public struct ExportRecord: Sendable {
    public let patent: Patent
    public let families: [FamilyLevel: Int]
    /// The office's original PDF of the publication when the repository holds one: a pdf
    /// export takes it instead of a rendering.
    public let originalPDF: String?

    /// Values computed ahead (`computeValues`), with the fields and languages they are for.
    private var computed: (codes: [String], languages: ExportLanguages, values: [ExportValue])?

    public init(patent: Patent, families: [FamilyLevel: Int], originalPDF: String? = nil) {
        self.patent = patent
        self.families = families
        self.originalPDF = originalPDF
    }

    /// The values of `fields`, in their order.
    public func values(_ fields: [ExportField], languages: ExportLanguages) -> [ExportValue] {
        if let computed, computed.languages == languages, computed.codes.elementsEqual(fields.lazy.map(\.code)) {
            return computed.values
        }
        return fields.map { value($0.code, languages: languages) }
    }

    /// Computes the values of `fields` now (an export does it on the thread that read the
    /// record, so that the writer only formats them).
    public mutating func computeValues(_ fields: [ExportField], languages: ExportLanguages) {
        computed = (fields.map(\.code), languages, fields.map { value($0.code, languages: languages) })
    }

    /// The value of one export field. Dates are ISO 8601 calendar dates (`2016-03-22`);
    /// parties are names in the source's spelling; classes are normalised codes.
    public func value(_ code: String, languages: ExportLanguages) -> ExportValue {
        let original = patent.resolvedOriginalLanguage
        switch code {
        case "PN": return .single(patent.pn)
        case "KD": return .single(patent.publication.kind.isEmpty ? nil : patent.publication.kind)
        case "AUTHORITY": return .single(patent.publication.office)
        case "PATENT_TYPE": return .single(patent.type == .unknown ? nil : patent.type.rawValue)
        case "APNO": return .single(patent.application?.key)
        case "APD": return .single(patent.application?.date?.iso)
        case "PBD": return .single(patent.publicationDate?.iso)
        case "ISD": return .single(patent.issueDate?.iso)
        case "PRIORITY_DATE": return .single(patent.priorityDate?.iso)
        case "TTL":
            return .single(languages.pick(patent.titles.map(\.language), original: original).map { patent.titles[$0].text })
        case "ABST": return .single(abstract(languages)?.paragraphs.joined(separator: "\n"))
        case "AN", "ANS": return .list(Self.unique((patent.applicants + patent.assignees).map(\.name)))
        // The current owner as far as the sources tell: the assignees (recorded at grant),
        // else the applicants.
        case "ANC": return .list(Self.unique((patent.assignees.isEmpty ? patent.applicants : patent.assignees).map(\.name)))
        case "IN": return .list(Self.unique(patent.inventors.map(\.name)))
        case "AT": return .list(Self.unique(patent.agents.map(\.name)))
        case "IPC": return .list(patent.ipc)
        case "CPC": return .list(patent.cpc)
        case "PRNO": return .list(Self.unique(patent.priorities.map(\.key)))
        case "FAM_ID": return .single(families[.docdb].map(String.init))
        case "IFAM_ID": return .single(families[.inpadoc].map(String.init))
        case "EFAM_ID": return .single(families[.extended].map(String.init))
        case "CLMS": return .list(claims(languages)?.claims.map(\.text) ?? [])
        case "DESC": return .single(description(languages)?.paragraphs.map(\.text).joined(separator: "\n"))
        default: return .single(nil)
        }
    }

    /// The abstract in the language the export asks for (QUERY.md §7 fallbacks).
    public func abstract(_ languages: ExportLanguages) -> LocalizedParagraphs? {
        languages.pick(patent.abstracts.map(\.language), original: patent.resolvedOriginalLanguage).map { patent.abstracts[$0] }
    }

    public func claims(_ languages: ExportLanguages) -> ClaimSet? {
        languages.pick(patent.claims.map(\.language), original: patent.resolvedOriginalLanguage).map { patent.claims[$0] }
    }

    public func description(_ languages: ExportLanguages) -> Description? {
        languages.pick(patent.descriptions.map(\.language), original: patent.resolvedOriginalLanguage).map { patent.descriptions[$0] }
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
