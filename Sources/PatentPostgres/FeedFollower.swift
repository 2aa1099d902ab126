import Foundation
import Logging
import NIOConcurrencyHelpers
import PatentStore
import PatentTasks
import ServiceLifecycle

/// Keeps a serving node's data folder following the patents' feed (`serve --database`): a
/// patent published through any node is in this node's store and index within about a
/// second (woken by the feed's NOTIFY), and within `interval` when a notification is lost.
///
/// Each round runs on a thread of its own (store and index work never blocks the server's
/// threads): when the feed is ahead of the store, it takes the data folder's writer lock
/// (`DataFolderLock`, without waiting: an import on this node holds it and brings the store
/// up itself; the round is tried again later), applies the new rows (`PatentFeed.catchUp`)
/// and calls `refresh`, which brings the index up to date; the server reopens the new
/// index generation at its next search.
public final class FeedFollower: Service, Sendable {
    private let feed: PatentFeed
    private let store: PatentStore
    private let dataDirectory: String
    private let interval: TimeInterval
    private let refresh: @Sendable () throws -> Void
    private let logger: Logger
    private let wakeups = DispatchSemaphore(value: 0)
    private let stopping = NIOLockedValueBox(false)
    private let finished = DispatchSemaphore(value: 0)
    private let listener = NIOLockedValueBox<Task<Void, any Error>?>(nil)

    public init(feed: PatentFeed, store: PatentStore, dataDirectory: String, interval: TimeInterval = 2,
                logger: Logger, refresh: @escaping @Sendable () throws -> Void) {
        self.feed = feed
        self.store = store
        self.dataDirectory = dataDirectory
        self.interval = interval
        self.refresh = refresh
        self.logger = logger
    }

    /// Starts following: one round at once, then one per notification or `interval`.
    public func start() {
        listener.withLockedValue { $0 = BlockingBridge.shared.start { [self] in try await listen() } }
        let thread = Thread { [self] in
            round()
            reportLocalPatents()
            while !stopping.withLockedValue({ $0 }) {
                _ = wakeups.wait(timeout: .now() + interval)
                guard !stopping.withLockedValue({ $0 }) else { break }
                round()
            }
            finished.signal()
        }
        thread.name = "patents.feed-follower"
        thread.start()
    }

    /// As a service of the server's group: follows until graceful shutdown (or cancellation),
    /// then stops after the round under way.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await awaitOffThread { self.stop() }
    }

    /// Stops after the round under way (if any).
    public func stop() {
        stopping.withLockedValue { $0 = true }
        listener.withLockedValue { $0?.cancel() }
        wakeups.signal()
        finished.wait()
    }

    /// Listens for publications until stopped; a dropped connection is listened on again
    /// after a pause (polling covers the gap).
    private func listen() async throws {
        while !stopping.withLockedValue({ $0 }) {
            do {
                try await feed.listen { [wakeups] in wakeups.signal() }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for the patents' feed failed; polling meanwhile", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .seconds(interval))
        }
    }

    /// Patents this folder holds that the feed does not — imported here without `--database`
    /// — are searched on this node only: said once at start, as a warning with the remedy.
    /// Once the folder followed the feed it holds every published patent, so the difference
    /// of the two counts is exactly those patents (fewer if a publication lands meanwhile).
    private func reportLocalPatents() {
        do {
            let local = try localPatents()
            guard local > 0 else { return }
            logger.warning("""
                \(local) patents in this data folder were imported without --database: other nodes do not have them; \
                import them again with --database to publish them
                """, metadata: ["folder": "\(dataDirectory)"])
        } catch {
            logger.error("comparing the data folder with the patents' feed failed", metadata: ["error": "\(error)"])
        }
    }

    /// The patents this folder holds beyond the feed's (after a round).
    func localPatents() throws -> Int {
        let feed = self.feed
        let published = try BlockingBridge.shared.wait { try await feed.recordCount() }
        return try store.count() - published
    }

    /// One round: nothing when the store follows the feed's head already.
    func round() {
        do {
            let feed = self.feed
            let heads = try BlockingBridge.shared.wait { try await feed.heads() }
            let behind = try heads.records > store.followedRevision() || heads.originals > store.followedOriginalsRevision()
            guard behind else { return }
            let lock: DataFolderLock
            do {
                lock = try DataFolderLock(directory: dataDirectory, command: "serve (following the feed)", wait: false)
            } catch DataFolderLock.Failure.held {
                return
            }
            defer { withExtendedLifetime(lock) {} }
            let store = self.store
            let applied = try BlockingBridge.shared.wait { try await feed.catchUp(store) }
            try refresh()
            logger.info("followed the patents' feed", metadata: ["rows": "\(applied)", "revision": "\(heads.records)"])
        } catch {
            logger.error("following the patents' feed failed; trying again", metadata: ["error": "\(error)"])
        }
    }
}
