import PatentAccounts
import PatentQuery
import PatentSearch

/// What every search call shares (P001, P002, P055): the query, stemming, the date
/// bounds and the family collapse, validated as API.md says.
public struct QueryParameters: Codable, Sendable, Equatable {
    public var query: String
    public var stemming = false
    public var applicationDateFrom: Int?
    public var applicationDateTo: Int?
    public var publicationDateFrom: Int?
    public var publicationDateTo: Int?
    /// nil is `ALL`.
    public var collapse: Collapse?
    /// The query's syntax tree, kept from validation so that the search does not parse the
    /// query again; not stored with a task, and not part of equality (it follows `query`).
    public var parsed: QueryNode?

    public init(query: String) { self.query = query }

    private enum CodingKeys: String, CodingKey {
        case query, stemming, applicationDateFrom, applicationDateTo, publicationDateFrom, publicationDateTo, collapse
    }

    public static func == (a: QueryParameters, b: QueryParameters) -> Bool {
        a.query == b.query && a.stemming == b.stemming && a.applicationDateFrom == b.applicationDateFrom
            && a.applicationDateTo == b.applicationDateTo && a.publicationDateFrom == b.publicationDateFrom
            && a.publicationDateTo == b.publicationDateTo && a.collapse == b.collapse
    }

    /// Validates the query parameters of a JSON body (also used by the CLI, so that
    /// `patents search` follows the API's rules).
    public init(body: JSONValue) throws(ServiceError) {
        try self.init(RequestParameters(body))
    }

    /// `maximumQueryLength`: 2,000 code points for P001 and P055, 12,000 for P002.
    init(_ parameters: RequestParameters, maximumQueryLength: Int = QueryParser.maximumLength) throws(ServiceError) {
        query = try parameters.string("query_text", required: true)!
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ServiceError.invalidParameter("query_text must not be empty")
        }
        do {
            parsed = try QueryParser.parse(query, maximumLength: maximumQueryLength)
        } catch {
            throw ServiceError.invalidParameter("query_text: \(error.message)")
        }
        switch try parameters.integer("stemming") {
        case nil, 0: stemming = false
        case 1: stemming = true
        case let other?: throw ServiceError.invalidParameter("stemming must be 0 or 1, not \(other)")
        }
        applicationDateFrom = try parameters.date("apdt_from")
        applicationDateTo = try parameters.date("apdt_to")
        publicationDateFrom = try parameters.date("pbdt_from")
        publicationDateTo = try parameters.date("pbdt_to")
        if let from = applicationDateFrom, let to = applicationDateTo, from > to {
            throw ServiceError.invalidParameter("apdt_from \(from) is after apdt_to \(to)")
        }
        if let from = publicationDateFrom, let to = publicationDateTo, from > to {
            throw ServiceError.invalidParameter("pbdt_from \(from) is after pbdt_to \(to)")
        }
        collapse = try Self.collapse(parameters)
    }

    /// `collapse_type` ALL (or absent) means no collapse; the other collapse parameters
    /// are checked whenever they are given, even if ignored. As PatSnap documents it,
    /// `collapse_order` applies "if the collapse_type is APNO, or the collapse_by is APD or
    /// PBD": APNO with an order and no `collapse_by` picks by publication date.
    private static func collapse(_ parameters: RequestParameters) throws(ServiceError) -> Collapse? {
        let kind = try parameters.choice("collapse_type", ["ALL"] + Collapse.Kind.allCases.map(\.rawValue))
        let by = try parameters.choice("collapse_by", Collapse.By.allCases.map(\.rawValue))
        let order = try parameters.choice("collapse_order", Collapse.Order.allCases.map(\.rawValue))
        var authorities = Collapse.defaultAuthorities
        if let given = try parameters.strings("collapse_order_authority") {
            authorities = []
            for (index, office) in given.enumerated() {
                guard office.count == 2, office.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    throw ServiceError.invalidParameter("collapse_order_authority[\(index)] must be a two-letter office code, not '\(RequestParameters.quoted(office))'")
                }
                authorities.append(office.uppercased())
            }
            if authorities.isEmpty { authorities = Collapse.defaultAuthorities }
        }
        guard let kind, kind != "ALL", let collapseKind = Collapse.Kind(rawValue: kind) else { return nil }
        let defaultBy: Collapse.By = collapseKind == .apno && order != nil ? .publicationDate : .score
        return Collapse(kind: collapseKind, by: by.flatMap(Collapse.By.init) ?? defaultBy,
                        order: order.flatMap(Collapse.Order.init) ?? .latest, authorities: authorities)
    }

    /// The engine's request for a window of the result.
    public func searchRequest(offset: Int, rows: Int, sort: [SortKey] = []) -> SearchRequest {
        var request = SearchRequest(query: query)
        request.stemming = stemming
        request.applicationDateFrom = applicationDateFrom
        request.applicationDateTo = applicationDateTo
        request.publicationDateFrom = publicationDateFrom
        request.publicationDateTo = publicationDateTo
        request.collapse = collapse
        request.offset = offset
        request.rows = rows
        request.sort = sort
        request.parsed = parsed
        return request
    }
}
