import Foundation
import HTTPTypes

/// The routes and methods `/openapi.json` documents, for answering a documented path asked
/// with another method: 405 with `Allow`, where the router alone would say 404. The
/// document is the one list of routes (`OpenAPITests` checks it against the server's).
enum DocumentedRoutes {
    private struct Route {
        let segments: [Substring]
        let methods: [String]

        func matches(_ path: [Substring]) -> Bool {
            segments.count == path.count && zip(segments, path).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    private static let routes: [Route] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any],
              let paths = document["paths"] as? [String: Any] else { return [] }
        let order = ["get", "head", "post", "put", "patch", "delete", "options", "trace"]
        return paths.compactMap { path, item in
            guard let operations = item as? [String: Any] else { return nil }
            let methods = order.filter { operations[$0] != nil }.map { $0.uppercased() }
            return Route(segments: segments(path), methods: methods)
        }
    }()

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    /// The methods documented for `path` (empty when no documented route has that shape).
    static func methods(for path: String) -> [String] {
        let asked = segments(path)
        return routes.first { $0.matches(asked) }?.methods ?? []
    }
}
