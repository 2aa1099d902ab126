/// PatentHTTP: the HTTP face of the service on Hummingbird 2 — routes, PatSnap's
/// envelope, request parsing, authentication, rate limits, metrics and file downloads.
/// Every business rule lives in PatentTasks; this module translates between HTTP and
/// those calls.
import Hummingbird
import Logging
import NIOCore
import PatentAccounts
import PatentTasks

/// The request context: Hummingbird's core plus the calling client, which
/// ``ClientAuthentication`` fills on every business route.
public struct PatentRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var client: ClientAccount?
    /// The peer of the connection (nil in router tests): what per-address limits count.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        client = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// Request bodies larger than this are refused (68300007).
    public var maxUploadSize: Int { 1 << 20 }
}
