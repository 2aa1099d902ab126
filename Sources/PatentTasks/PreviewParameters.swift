import PatentAccounts
import PatentSearch

/// P001 "query search count": the query parameters alone.
public struct CountParameters: Sendable, Equatable {
    public var parameters: QueryParameters

    public init(body: JSONValue) throws(ServiceError) {
        parameters = try QueryParameters(RequestParameters(body))
    }
}

/// P002 "query search": a page of publication numbers — `limit` 1…1,000 (default 10),
/// `offset` ≥ 0 with offset + limit ≤ 20,000, and `sort` as a list of
/// `{"field": PBDT_YEARMONTHDAY | APD_YEARMONTHDAY | ISD | SCORE, "order": ASC | DESC}`
/// applied before the relevance order. Queries may be 12,000 code points long (PatSnap's
/// P002 limit; P001 and P055 keep 2,000).
public struct PreviewParameters: Sendable, Equatable {
    public static let maximumLimit = 1_000
    public static let window = 20_000
    public static let maximumQueryLength = 12_000

    public var parameters: QueryParameters
    public var limit = 10
    public var offset = 0
    public var sort: [SortKey] = []

    public init(body: JSONValue) throws(ServiceError) {
        let request = try RequestParameters(body)
        parameters = try QueryParameters(request, maximumQueryLength: Self.maximumQueryLength)
        limit = try request.integer("limit") ?? 10
        guard limit >= 1, limit <= Self.maximumLimit else {
            throw ServiceError.invalidParameter("limit must be between 1 and \(Self.maximumLimit), not \(limit)")
        }
        offset = try request.offset(rows: limit, rowsName: "offset + limit", window: Self.window)
        sort = try Self.sort(request.raw("sort"))
    }

    /// The engine's request for this page.
    public var searchRequest: SearchRequest {
        var request = parameters.searchRequest(offset: offset, rows: limit, sort: sort)
        request.maximumQueryLength = Self.maximumQueryLength
        return request
    }

    private static func sort(_ value: JSONValue?) throws(ServiceError) -> [SortKey] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw ServiceError.invalidParameter("sort must be an array of {\"field\", \"order\"} objects, not \(value.typeName)")
        }
        var keys: [SortKey] = []
        for (index, item) in items.enumerated() {
            let entry = try RequestParameters(item, name: "sort[\(index)]")
            let field = try entry.choice("field", SortKey.Field.allCases.map(\.rawValue), name: "sort[\(index)].field", required: true)!
            let order = try entry.choice("order", ["ASC", "DESC"], name: "sort[\(index)].order") ?? "DESC"
            keys.append(SortKey(SortKey.Field(rawValue: field)!, descending: order == "DESC"))
        }
        return keys
    }
}
