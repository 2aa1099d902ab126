import Foundation

/// The scheme and authority download links are built on: the operator's `--public-url`,
/// else the address the server is bound to. Never the request's `Host` header, which the
/// client writes: a link built from it could point another client's browser anywhere.
public final class DownloadLinks: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String

    /// `publicURL` when given (a trailing `/` dropped), else `http://host:port`; a
    /// wildcard host (`0.0.0.0`, `::`) names the loopback address instead.
    public init(publicURL: String?, host: String = "127.0.0.1", port: Int = 8080) {
        if let publicURL {
            value = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
            fixed = true
        } else {
            value = Self.base(host: host, port: port)
            fixed = false
        }
    }

    /// True when the operator gave the base; otherwise ``bound(host:port:)`` sets it.
    public let fixed: Bool

    /// The base, e.g. `https://patents.example.org`.
    public var base: String { lock.withLock { value } }

    /// Records the port the server was given (for `--port 0`), unless the base is fixed.
    public func bound(host: String, port: Int) {
        guard !fixed else { return }
        lock.withLock { value = Self.base(host: host, port: port) }
    }

    /// True when links name an address other machines cannot reach for this server:
    /// bound to every interface without `--public-url`.
    public static func needsPublicURL(host: String, publicURL: String?) -> Bool {
        publicURL == nil && ["0.0.0.0", "::", "[::]", ""].contains(host)
    }

    private static func base(host: String, port: Int) -> String {
        let name = ["0.0.0.0", "", "localhost"].contains(host) ? "127.0.0.1" : ["::", "[::]"].contains(host) ? "[::1]" : host
        let authority = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
        return "http://\(authority):\(port)"
    }
}
