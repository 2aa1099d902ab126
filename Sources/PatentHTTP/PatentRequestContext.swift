/// PatentHTTP: the HTTP face of the service on Hummingbird 2 — routes, PatSnap's
/// envelope, request parsing and file downloads. Every rule lives in PatentTasks; this
/// module only translates between HTTP and those calls.
import Hummingbird
import Logging

/// The request context: Hummingbird's core plus the calling client. Authentication
/// fills `client`; until it exists every request runs as the anonymous client (nil),
/// which owns the tasks it creates.
public struct PatentRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var client: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        client = nil
    }

    /// Request bodies larger than this are refused (68300007).
    public var maxUploadSize: Int { 1 << 20 }
}
