import Foundation
import PatentAccounts
import PatentIndex
import PatentSearch
import PatentQuery

/// Where the service's searches run (P001, P002, and P055's search at task creation):
/// this node's index (`SearchService`), or on many machines the shards of a cluster
/// (PatentHTTP's `ClusterEngine`). Called on a work pool's thread and may block there.
public protocol SearchEngine: Sendable {
    /// Runs `request`; its result, and the index generation that answered (recorded with
    /// an export task). Query errors are 68300004 naming `query_text`; an engine that
    /// cannot answer, 68300005.
    func run(_ request: SearchRequest) throws(ServiceError) -> (result: SearchResult, generation: Int)
}

/// The engine as the service uses it: the index's current generation, reopened when
/// another process (`patents import`, `patents index`) commits a new one, shared by
/// concurrent requests. Query errors become 68300004 naming `query_text`; an index that
/// cannot be opened is a search failure, 68300005. Every search's duration goes to
/// `metrics`. Each generation's segment files are checksummed once it is first opened —
/// before its first search with `verifyBeforeSearching` (one-shot commands), else in the
/// background (the server: opening stays fast); from a mismatch on, every search of that
/// generation is the search failure naming the file and `patents index --rebuild`.
public final class SearchService: SearchEngine, @unchecked Sendable {
    public let indexDirectory: String
    let metrics: ServiceMetrics
    private let lock = NSLock()
    private var current: (stamp: ManifestStamp, searcher: Searcher)?
    private let verifyBeforeSearching: Bool
    /// A checksum mismatch found in a generation, by its manifest.
    private var damage: (stamp: ManifestStamp, error: String)?
    /// The last generation whose checksums were all verified.
    private var verified: ManifestStamp?

    public init(indexDirectory: String, metrics: ServiceMetrics = ServiceMetrics(), verifyBeforeSearching: Bool = false) {
        self.indexDirectory = indexDirectory
        self.metrics = metrics
        self.verifyBeforeSearching = verifyBeforeSearching
    }

    /// The searcher of the current generation; cheap when nothing changed (one `stat`).
    public func searcher() throws(ServiceError) -> Searcher {
        let stamp = ManifestStamp(directory: indexDirectory)
        lock.lock()
        defer { lock.unlock() }
        if let damage, damage.stamp == stamp { throw ServiceError.searchFailure(damage.error) }
        if let current, current.stamp == stamp { return current.searcher }
        do {
            let snapshot = try IndexSnapshot.open(directory: indexDirectory)
            if verifyBeforeSearching {
                try snapshot.verifyChecksums()
                verified = stamp
            } else {
                DispatchQueue.global(qos: .utility).async { [weak self] in
                    do {
                        try snapshot.verifyChecksums()
                        self?.recordVerified(stamp)
                    } catch {
                        self?.recordDamage(error, stamp: stamp)
                    }
                }
            }
            let searcher = Searcher(snapshot: snapshot)
            current = (stamp, searcher)
            return searcher
        } catch {
            throw ServiceError.searchFailure(Self.cannotOpen(error))
        }
    }

    private static func cannotOpen(_ error: Error) -> String { "search failure: the index cannot be opened (\(error))" }

    /// Whether the current generation's checksums have been verified (the server verifies
    /// in the background after opening it, and that reads every segment file once).
    public var isVerified: Bool {
        let stamp = ManifestStamp(directory: indexDirectory)
        lock.lock()
        defer { lock.unlock() }
        return verified == stamp
    }

    private func recordVerified(_ stamp: ManifestStamp) {
        lock.lock()
        defer { lock.unlock() }
        verified = stamp
    }

    private func recordDamage(_ error: Error, stamp: ManifestStamp) {
        lock.lock()
        defer { lock.unlock() }
        damage = (stamp, Self.cannotOpen(error))
    }

    public func run(_ request: SearchRequest) throws(ServiceError) -> (result: SearchResult, generation: Int) {
        let searcher = try searcher()
        return (try search(request, on: searcher), searcher.snapshot.generation)
    }

    /// Runs a search on `searcher` (the current one when nil).
    public func search(_ request: SearchRequest, on searcher: Searcher? = nil) throws(ServiceError) -> SearchResult {
        let chosen: Searcher
        if let searcher { chosen = searcher } else { chosen = try self.searcher() }
        return try metrics.timeSearch { () throws(ServiceError) in
            do throws(QueryError) {
                return try chosen.search(request)
            } catch {
                throw ServiceError.invalidParameter("query_text: \(error.message)")
            }
        }
    }
}

/// Identifies one version of `manifest.json`: commits replace the file by renaming, so
/// a new generation always has a new inode or modification time.
struct ManifestStamp: Equatable {
    var inode: UInt64 = 0
    var modified: Int = 0
    var nanoseconds: Int = 0

    init(directory: String) {
        var info = stat()
        guard stat((directory as NSString).appendingPathComponent("manifest.json"), &info) == 0 else { return }
        inode = UInt64(info.st_ino)
        modified = info.st_mtim.tv_sec
        nanoseconds = info.st_mtim.tv_nsec
    }
}
