/// What a search field code covers, written from QUERY.md §2, §3 and §6 (the reference
/// evaluator's own table, not the engine's catalogue).
struct ReferenceScope {
    enum Keyword: Hashable { case publication, application, priority, kind, authority, patentType, ipc, cpc, family(String) }
    enum Dates { case application, publication, grant, priority }

    var code: String
    var text: [ReferenceField] = []
    var keywords: [Keyword] = []
    var dates: Dates?
    var years = false
    var stemmable = false
    /// MAINF: text, parties, numbers and classes (§8: an unfielded term also matches as a number or code).
    var mixed = false

    static let mainf = named("MAINF")!

    static func named(_ raw: String) -> ReferenceScope? {
        let code = raw.uppercased()
        let textCodes: [String: [ReferenceField]] = [
            "TTL": [.title], "ABST": [.abstract], "CLMS": [.claims], "ICLMS": [.independentClaims], "DESC": [.description],
            "TA": [.title, .abstract], "TAC": [.title, .abstract, .claims], "TACD": [.title, .abstract, .claims, .description],
        ]
        var scope = ReferenceScope(code: code)
        if let fields = textCodes[code] {
            scope.text = fields
            scope.stemmable = true
            return scope
        }
        if code.hasSuffix("_ALL"), ["TTL", "ABST", "CLMS", "TA", "TAC", "TACD"].contains(String(code.dropLast(4))),
           let fields = textCodes[String(code.dropLast(4))] {
            scope.text = fields.flatMap { [$0, $0.translations!] }
            scope.stemmable = true
            return scope
        }
        switch code {
        case "MAINF":
            scope.text = [.title, .abstract, .claims, .description, .applicants, .inventors]
            scope.keywords = [.publication, .application, .ipc, .cpc]
            scope.stemmable = true
            scope.mixed = true
        case "AN", "ANS", "ANC": scope.text = [.applicants]
        case "IN": scope.text = [.inventors]
        case "AT": scope.text = [.agents]
        case "PN": scope.keywords = [.publication]
        case "APNO": scope.keywords = [.application]
        case "PRNO": scope.keywords = [.priority]
        case "KD": scope.keywords = [.kind]
        case "AUTHORITY": scope.keywords = [.authority]
        case "PATENT_TYPE": scope.keywords = [.patentType]
        case "IPC": scope.keywords = [.ipc]
        case "CPC": scope.keywords = [.cpc]
        case "FAM_ID", "IFAM_ID", "EFAM_ID": scope.keywords = [.family(code)]
        case "APD": scope.dates = .application
        case "APD_Y": scope.dates = .application; scope.years = true
        case "PBD": scope.dates = .publication
        case "PBD_Y": scope.dates = .publication; scope.years = true
        case "ISD": scope.dates = .grant
        case "PRIORITY_DATE": scope.dates = .priority
        default: return nil
        }
        return scope
    }

    /// Stemming applies to text fields of a stemmable scope, never to parties (§3).
    func stems(_ field: ReferenceField) -> Bool { stemmable && field.isText }
}
