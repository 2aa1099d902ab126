import ArgumentParser
import Foundation
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

    @Argument(help: "The query text.")
    var query: String

    @Flag(help: "Match every token with the same stem (English).")
    var stemming = false

    @Option(help: "Application date from (yyyyMMdd or *).") var apdtFrom: String?
    @Option(help: "Application date to (yyyyMMdd or *).") var apdtTo: String?
    @Option(help: "Publication date from (yyyyMMdd or *).") var pbdtFrom: String?
    @Option(help: "Publication date to (yyyyMMdd or *).") var pbdtTo: String?

    @Option(help: "Collapse: APNO, DOCDB, INPADOC or EXTEND (default ALL: none).") var collapse: String?
    @Option(help: "Representative: APD, PBD, AUTHORITY or SCORE (default SCORE).") var collapseBy: String?
    @Option(help: "OLDEST or LATEST (default LATEST), for APD and PBD.") var collapseOrder: String?
    @Option(help: "Offices in order of preference for AUTHORITY (default CN,US,EP,JP,KR).") var collapseAuthority: String?

    @Option(help: "Hits to print.") var rows = 10
    @Option(help: "Hits to skip.") var offset = 0

    @Flag(help: "Print {\"total\":N,\"hits\":[{\"pn\":…,\"score\":…},…]}.")
    var json = false

    func run() throws {
        let parameters = try queryParameters(query: query, stemming: stemming, dates: (apdtFrom, apdtTo, pbdtFrom, pbdtTo),
                                             collapse: (collapse, collapseBy, collapseOrder, collapseAuthority))
        let search = SearchService(indexDirectory: indexDirectory(options.data))
        let result = try reportingServiceErrors { () throws(ServiceError) in
            try search.search(parameters.searchRequest(offset: offset, rows: rows))
        }
        if json {
            let hits = result.hits.map { ["pn": $0.pn, "score": ($0.score * 10_000).rounded() / 10_000] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: ["total": result.total, "hits": hits], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("total \(result.total)")
        let store = try? PatentStore(directory: options.data)
        for hit in result.hits {
            let title = (try? store?.patent(hit.pn))??.titles.first?.text ?? ""
            print(String(format: "%-18@ %8.3f  %@", hit.pn as NSString, hit.score, String(title.prefix(90)) as NSString))
        }
    }
}

/// The query options of `search` and `export` checked by the API's own rules
/// (QueryParameters), so the command line and HTTP accept exactly the same values.
func queryParameters(query: String, stemming: Bool, dates: (String?, String?, String?, String?),
                     collapse: (String?, String?, String?, String?)) throws -> QueryParameters {
    var body: [String: JSONValue] = ["query_text": .string(query), "stemming": .integer(stemming ? 1 : 0)]
    let named: [(String, String?)] = [
        ("apdt_from", dates.0), ("apdt_to", dates.1), ("pbdt_from", dates.2), ("pbdt_to", dates.3),
        ("collapse_type", collapse.0), ("collapse_by", collapse.1), ("collapse_order", collapse.2),
        ("collapse_order_authority", collapse.3),
    ]
    for (name, value) in named { if let value { body[name] = .string(value) } }
    return try reportingServiceErrors { () throws(ServiceError) in try QueryParameters(body: .object(body)) }
}

/// Runs `body`; a service error is printed as `error CODE: message` on stderr and the
/// command exits with status 2.
func reportingServiceErrors<T>(_ body: () throws(ServiceError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("error \(error.code): \(error.message)\n".utf8))
        throw ExitCode(2)
    }
}
