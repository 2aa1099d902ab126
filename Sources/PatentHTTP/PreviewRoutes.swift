import Crypto
import Foundation
import Hummingbird
import PatentSearch
import PatentTasks

/// P001 (count) and P002 (a page of publication numbers): what a client uses to check
/// a query before paying for an export. Same query language, same collapse.
struct PreviewRoutes {
    let search: any SearchEngine
    let work: WorkPool

    func register(count counting: some RouterMethods<PatentRequestContext>, preview: some RouterMethods<PatentRequestContext>) {
        for path in ["/search/patent/query-search-count/v2", "/search/patent/query-search-count"] {
            counting.post(RouterPath(path)) { request, context in try await count(request, context: context) }
        }
        for path in ["/search/patent/query-search-patent/v2", "/search/patent/query-search-patent"] {
            preview.post(RouterPath(path)) { request, context in try await page(request, context: context) }
        }
    }

    struct CountData: Encodable {
        let total_search_result_count: Int
    }

    func count(_ request: Request, context: PatentRequestContext) async throws -> Response {
        var request = request
        let search = search
        let result = try await request.withJSONBody(context: context, on: work) { body in
            try search.run(CountParameters(body: body).parameters.searchRequest(offset: 0, rows: 0)).result
        }
        return Envelope.success(CountData(total_search_result_count: result.total))
    }

    struct PageData: Encodable {
        struct Patent: Encodable {
            let pn: String
            let patent_id: String
        }
        let results: [Patent]
        let result_count: Int
        let total_search_result_count: Int
    }

    func page(_ request: Request, context: PatentRequestContext) async throws -> Response {
        var request = request
        let search = search
        let result = try await request.withJSONBody(context: context, on: work) { body in
            let preview = try PreviewParameters(body: body)
            return try search.run(preview.searchRequest).result
        }
        let patents = result.hits.map { PageData.Patent(pn: $0.pn, patent_id: Self.patentID($0.pn)) }
        return Envelope.success(PageData(results: patents, result_count: patents.count, total_search_result_count: result.total))
    }

    /// A stable UUID-shaped id for a publication (PatSnap's `patent_id`): the first 16
    /// bytes of SHA-256 of the PN with the version-5 and variant bits set.
    static func patentID(_ pn: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(pn.utf8))).prefix(16).map { $0 }
        bytes[6] = bytes[6] & 0x0F | 0x50
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
