import ArgumentParser
import Foundation
import PatentAccounts
import PatentIndex
import PatentQuery
import PatentSearch
import PatentStore
import PatentTasks

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search with a PatSnap query: the total and the ranked hits (PN, score, title)."
    )

    @OptionGroup var options: DataOptions

    @OptionGroup var search: QueryOptions

    @Option(help: "Hits to print.") var rows = 10
    @Option(help: "Hits to skip.") var offset = 0

    @Flag(help: "Print {\"total\":N,\"hits\":[{\"pn\":…,\"score\":…},…]}.")
    var json = false

    func run() throws {
        let parameters = try reportingServiceErrors { () throws(ServiceError) in try QueryParameters(body: .object(search.body)) }
        let service = SearchService(indexDirectory: indexDirectory(options.data), verifyBeforeSearching: true)
        let result = try reportingServiceErrors { () throws(ServiceError) in
            try service.search(parameters.searchRequest(offset: offset, rows: rows))
        }
        if json {
            let hits = result.hits.map { ["pn": $0.pn, "score": ($0.score * 10_000).rounded() / 10_000] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: ["total": result.total, "hits": hits], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("total \(result.total)")
        let store = try? options.openStore()
        for hit in result.hits {
            let title = (try? store?.patent(hit.pn))??.titles.first?.text ?? ""
            print(String(format: "%-18@ %8.3f  %@", hit.pn as NSString, hit.score, String(title.prefix(90)) as NSString))
        }
    }
}

/// The query options `search` and `export` share, turned into an API body so that they
/// are checked by the API's own rules (QueryParameters) and accept exactly the same values.
struct QueryOptions: ParsableArguments {
    @Argument(help: "The query text.") var query: String
    @Flag(help: "Match every token with the same stem (English).") var stemming = false

    @Option(help: "Application date from (yyyyMMdd or *).") var apdtFrom: String?
    @Option(help: "Application date to (yyyyMMdd or *).") var apdtTo: String?
    @Option(help: "Publication date from (yyyyMMdd or *).") var pbdtFrom: String?
    @Option(help: "Publication date to (yyyyMMdd or *).") var pbdtTo: String?

    @Option(help: "Collapse: APNO, DOCDB, INPADOC or EXTEND (default ALL: none).") var collapse: String?
    @Option(help: "Representative: APD, PBD, AUTHORITY or SCORE (default SCORE).") var collapseBy: String?
    @Option(help: "OLDEST or LATEST (default LATEST), for APD and PBD.") var collapseOrder: String?
    @Option(help: "Offices in order of preference for AUTHORITY (default CN,US,EP,JP,KR).") var collapseAuthority: String?

    var body: [String: JSONValue] {
        var body: [String: JSONValue] = ["query_text": .string(query), "stemming": .integer(stemming ? 1 : 0)]
        let named: [(String, String?)] = [
            ("apdt_from", apdtFrom), ("apdt_to", apdtTo), ("pbdt_from", pbdtFrom), ("pbdt_to", pbdtTo),
            ("collapse_type", collapse), ("collapse_by", collapseBy), ("collapse_order", collapseOrder),
            ("collapse_order_authority", collapseAuthority),
        ]
        for (name, value) in named { if let value { body[name] = .string(value) } }
        return body
    }
}

/// Runs `body`; a service error is printed as `error CODE: message` on stderr and the
/// command exits with status 2.
func reportingServiceErrors<T>(_ body: () throws(ServiceError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw refused("error \(error.code): \(error.message)")
    }
}
