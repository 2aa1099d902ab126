import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Threads of their own for work that blocks or burns CPU — SQLite, the engine, file
/// reads, key derivation — so that neither NIO's event loops nor Swift's cooperative pool
/// ever wait on it: a slow search or a flood of token requests cannot stall `/health`,
/// accepting connections or other clients' answers.
///
/// A pool may cap how much work waits for it (`maximumPending`): beyond it ``run(_:)``
/// refuses at once with ``Saturated`` instead of queueing without bound.
public final class WorkPool: Sendable {
    /// Searches, SQLite reads and writes and request parsing of the HTTP routes: one
    /// thread per core, at least two.
    public static let requests = WorkPool(threads: max(2, cores))
    /// Shard calls of sharded searches (`ClusterRoutes`), apart from `requests`: a root waits
    /// on a request thread for its shard calls, and a node is often a replica of its own
    /// searches — answered on the same threads, two waiting searches would wait forever.
    public static let shards = WorkPool(threads: max(2, cores))
    /// PBKDF2 of client secrets: half the cores (at least one), and at most eight
    /// derivations (~0.1 s each) queued per thread, so wrong secrets sent in a flood can
    /// use at most that share of the machine.
    public static let secrets = WorkPool(threads: max(1, cores / 2),
                                         maximumPending: 8 * max(1, cores / 2))

    private static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `run` found `maximumPending` jobs already waiting or running.
    public struct Saturated: Error {}

    public let maximumPending: Int?
    private let pool: NIOThreadPool
    private let pending = NIOLockedValueBox(0)

    public init(threads: Int, maximumPending: Int? = nil) {
        self.maximumPending = maximumPending
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    /// Jobs waiting or running, when the pool counts them (`maximumPending` set).
    public var pendingCount: Int { pending.withLockedValue { $0 } }

    /// Runs `body` on one of the pool's threads and returns (or throws) what it does.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if let maximumPending {
            let admitted = pending.withLockedValue { count in
                guard count < maximumPending else { return false }
                count += 1
                return true
            }
            guard admitted else { throw Saturated() }
        }
        defer { if maximumPending != nil { pending.withLockedValue { $0 -= 1 } } }
        return try await pool.runIfActive(body)
    }
}
