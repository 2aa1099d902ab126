import Foundation
import Hummingbird
import PatentAccounts
import PatentQuery
import PatentTasks

/// What a person opens in a browser: the sandbox page at `/` and `/sandbox` (every P055
/// parameter, live query checking, preview, export and download; `Resources/web`), the
/// field catalogue and level prices it shows (`/sandbox/catalogue`), and the API
/// reference at `/docs` (the vendored Redoc bundle rendering `/openapi.json`). Everything
/// is served by the binary — no CDN, no build step — and needs no credentials: the page
/// asks for them and sends them only to the API.
struct SandboxRoutes {
    let tasks: ExportTaskService
    let work: WorkPool

    func register(on router: Router<PatentRequestContext>) {
        for path in ["/", "/sandbox"] { router.get(RouterPath(path)) { _, _ in try Self.asset("sandbox.html") } }
        for name in ["sandbox.js", "sandbox.css"] { router.get(RouterPath("/sandbox/" + name)) { _, _ in try Self.asset(name) } }
        router.get("/docs") { _, _ in try Self.asset("docs.html") }
        for name in ["docs.js", "redoc.standalone.js", "redoc-logo.svg", "redoc.LICENSE", "redoc.standalone.js.LICENSE.txt"] {
            router.get(RouterPath("/docs/" + name)) { _, _ in try Self.asset(name) }
        }
        router.get("/sandbox/catalogue") { _, _ in
            let accounts = tasks.accounts
            let (levels, prices) = try await work.run { (try accounts.fieldLevels(), try accounts.prices()) }
            return Envelope.success(Catalogue(levels: levels, prices: prices))
        }
    }

    /// The search and export field catalogues, export types and the level prices (cents
    /// per patent) — what the page needs to offer fields and show a fee.
    struct Catalogue: Encodable {
        struct SearchFieldEntry: Encodable {
            let code: String
            let description: String
            let kind: String
            let stemming: Bool
            let range: Bool
        }
        struct ExportFieldEntry: Encodable {
            let code: String
            let title: String
            let level: Int
            let export_types: [String]
            let multi_valued: Bool
        }
        struct ExportTypeEntry: Encodable {
            let name: String
            let maximum_rows: Int
        }
        let search_fields: [SearchFieldEntry]
        let export_fields: [ExportFieldEntry]
        let export_types: [ExportTypeEntry]
        let window: Int
        let level_prices: [String: Int]

        init(levels: FieldLevels, prices: [Int: Int]) {
            search_fields = FieldCatalogue.searchFields.map {
                SearchFieldEntry(code: $0.code, description: $0.description, kind: $0.kind.rawValue, stemming: $0.stemmable, range: $0.allowsRange)
            }
            export_fields = FieldCatalogue.exportFields.map { field in
                ExportFieldEntry(code: field.code, title: field.title, level: levels.level(of: field),
                                 export_types: ExportType.allCases.filter(field.exportTypes.contains).map(\.rawValue),
                                 multi_valued: field.multiValued)
            }
            export_types = ExportType.allCases.map { ExportTypeEntry(name: $0.rawValue, maximum_rows: $0.maximumRows) }
            window = ExportSpecification.window
            level_prices = Dictionary(uniqueKeysWithValues: prices.map { (String($0.key), $0.value) })
        }
    }

    /// The page's files, read once.
    private static let assets: [String: [UInt8]] = {
        guard let folder = Bundle.module.url(forResource: "web", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        return Dictionary(uniqueKeysWithValues: names.compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, Array($0)) }
        })
    }()

    private static func asset(_ name: String) throws -> Response {
        guard let bytes = assets[name] else { throw HTTPError(.notFound) }
        let type = switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "text/plain; charset=utf-8"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
