import ArgumentParser
import Foundation
import PatentIndex
import PatentQuery
import PatentSearch
import PatentStore

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
        var request = SearchRequest(query: query)
        request.stemming = stemming
        request.applicationDateFrom = try Self.date(apdtFrom, "apdt_from")
        request.applicationDateTo = try Self.date(apdtTo, "apdt_to")
        request.publicationDateFrom = try Self.date(pbdtFrom, "pbdt_from")
        request.publicationDateTo = try Self.date(pbdtTo, "pbdt_to")
        request.rows = rows
        request.offset = offset
        request.collapse = try collapseOption()
        let snapshot = try IndexSnapshot.open(directory: indexDirectory(options.data))
        let result: SearchResult
        do {
            result = try Searcher(snapshot: snapshot).search(request)
        } catch {
            FileHandle.standardError.write(Data("error \(QueryError.code): query_text: \(error.message)\n".utf8))
            throw ExitCode(2)
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

    func collapseOption() throws -> Collapse? {
        guard let collapse, collapse.uppercased() != "ALL" else { return nil }
        guard let kind = Collapse.Kind(rawValue: collapse.uppercased()) else {
            throw ValidationError("collapse_type must be ALL, APNO, DOCDB, INPADOC or EXTEND, got '\(collapse)'")
        }
        var result = Collapse(kind: kind)
        if let collapseBy {
            guard let by = Collapse.By(rawValue: collapseBy.uppercased()) else {
                throw ValidationError("collapse_by must be APD, PBD, AUTHORITY or SCORE, got '\(collapseBy)'")
            }
            result.by = by
        }
        if let collapseOrder {
            guard let order = Collapse.Order(rawValue: collapseOrder.uppercased()) else {
                throw ValidationError("collapse_order must be OLDEST or LATEST, got '\(collapseOrder)'")
            }
            result.order = order
        }
        if let collapseAuthority {
            result.authorities = collapseAuthority.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        }
        return result
    }

    static func date(_ value: String?, _ name: String) throws -> Int? {
        guard let value, value != "*" else { return nil }
        guard value.count == 8, let number = Int(value), number > 10_000_000 else {
            throw ValidationError("\(name) must be yyyyMMdd or *, got '\(value)'")
        }
        return number
    }
}
