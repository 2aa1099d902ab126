/// What a document holds when it is not a patent but something offices and patent
/// services publish beside patents. The import report lists these apart from the
/// patent documents it skipped (issue 15: nothing a user imports vanishes unexplained,
/// and a skipped patent stands out).
public enum NonPatentDocument: String, Sendable, Hashable, CaseIterable {
    case searchResults = "search results (publication numbers only)"
    case registerRecord = "EP Register record (status, events, procedural steps)"
    case numberConversion = "number conversion answer (OPS number service)"
    case imageInquiry = "image inquiry answer (OPS images)"
    case serviceError = "error answer of a patent service"
    case serviceSession = "patent-service session or print-job data"
    case webPage = "web page (search form, result list or error page)"
    case sequenceListing = "sequence listing"
    case fileWrapper = "file-wrapper document (an application's claims or specification as filed or amended)"
    case classificationScheme = "classification scheme"
    case fragment = "document fragment (a table alone)"
    case plainText = "text in none of the formats read (APS, BRS, EPO TSV)"

    /// XML roots that are never patents.
    static let byRoot: [String: NonPatentDocument] = [
        "sequence-cwu": .sequenceListing, "ST26SequenceListing": .sequenceListing, "SequenceListing": .sequenceListing,
        "ClaimsDocument": .fileWrapper, "SpecificationDocument": .fileWrapper,
        "class-scheme": .classificationScheme, "CPCMasterClassificationFile": .classificationScheme,
        "definitions": .classificationScheme,
        "error": .serviceError, "fault": .serviceError,
        "html": .webPage, "table": .fragment,
    ]

    /// An OPS answer without patent records, by what it answers.
    static func opsAnswer(_ root: XMLElement) -> NonPatentDocument? {
        for child in root.elements {
            switch child.name {
            case "biblio-search": return .searchResults
            case "register-search": return .registerRecord
            case "standardization": return .numberConversion
            case "document-inquiry": return .imageInquiry
            default: continue
            }
        }
        return nil
    }
}
