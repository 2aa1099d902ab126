import Foundation
import Logging
import PatentAccounts
import PatentExport
import PatentStore

/// The export task lifecycle of API.md: create (search now, fix the count, store the
/// result, answer), write in the background, report, serve the signed file, expire.
///
/// Restarts: tasks found PENDING when the service starts are written again from their
/// stored result, so a task is never stuck and never served half-written.
public final class ExportTaskService: Sendable {
    /// A task id answers for 24 hours (API.md).
    public static let taskLifetime: TimeInterval = 24 * 3600
    /// Files and their links last 7 days.
    public static let fileLifetime: TimeInterval = 7 * 24 * 3600

    public let dataDirectory: String
    let store: PatentStore
    let search: any SearchEngine
    public let tasks: any TaskRepository
    /// The clients who pay for the tasks (same database).
    public let accounts: AccountStore
    /// Where export files are written (``ServiceStorage/exportsDirectory``).
    public let exportsDirectory: String
    public let metrics: ServiceMetrics
    let signer: DownloadSigner
    public let now: @Sendable () -> Date
    let logger: Logger
    private let pool: any ExportScheduler
    let paging: ExportPaging
    let limits: TaskLimits

    public init(dataDirectory: String, store: PatentStore, search: any SearchEngine, workers: Int = 2,
                logger: Logger = Logger(label: "patents.export"), metrics: ServiceMetrics = ServiceMetrics(),
                now: @escaping @Sendable () -> Date = Date.init, paging: ExportPaging = ExportPaging(),
                limits: TaskLimits = TaskLimits(), secretHashing: Credentials.Hashing = .production,
                storage: ServiceStorage? = nil) throws {
        self.dataDirectory = dataDirectory
        self.paging = paging
        self.limits = limits
        self.store = store
        self.search = search
        let storage = try storage ?? .local(directory: dataDirectory, hashing: secretHashing)
        self.tasks = storage.tasks
        self.accounts = storage.accounts
        self.exportsDirectory = storage.exportsDirectory
        try FileManager.default.createDirectory(atPath: storage.exportsDirectory, withIntermediateDirectories: true)
        self.metrics = metrics
        self.signer = storage.signer
        self.now = now
        self.logger = logger
        let box = WeakBox()
        if let claims = storage.claims {
            pool = ClaimingWorkerPool(workers: workers, settings: claims, logger: logger, now: now) { claim in box.service?.write(claim) }
        } else {
            pool = ExportWorkerPool(workers: workers) { claim in box.service?.write(claim) }
        }
        box.service = self
    }

    /// Starts the writers and queues every task left PENDING by an earlier run.
    public func start() throws {
        pool.start()
        for (id, owner) in try tasks.pending() {
            logger.info("resuming export task", metadata: ["task": "\(id)"])
            pool.enqueue(id, owner: owner)
        }
    }

    /// Stops taking work; a file being written is left PENDING and rewritten on the next start.
    public func stop() { pool.stop() }

    /// Blocks until no task is queued or being written.
    public func waitUntilIdle() { pool.waitUntilIdle() }

    // MARK: create

    public struct Created: Sendable, Equatable {
        public let taskID: String
        public let count: Int
        public let total: Int
    }

    /// Runs the search on the current generation, fixes `count`, stores the task with its
    /// ordered result and queues it; returns once the task is durable.
    ///
    /// For a client, the task's fee level must be in its package (67200004), and its fee —
    /// count × the unit price of the level — is reserved in the same transaction that
    /// stores the task, within the client's balance (67200005) and quotas (67200002).
    /// Without a client (the operator's `patents export`) nothing is charged.
    public func create(_ specification: ExportSpecification, for client: ClientAccount?) throws(ServiceError) -> Created {
        let levels: FieldLevels
        do {
            levels = try accounts.fieldLevels()
        } catch {
            throw ServiceError.serviceError("the field levels could not be read, please try again later")
        }
        let feeLevel = specification.feeLevel(levels)
        if let client, feeLevel > client.maxLevel {
            throw ServiceError.noPermission(
                "no permission: \(specification.feeLevelReason(levels)) is field level \(feeLevel); "
                + "this client's package allows levels up to \(client.maxLevel)")
        }
        // A file system that cannot be asked does not stop exports.
        let free = DiskSpace.available(at: exportsDirectory) ?? .max
        guard free >= limits.minimumFreeBytes else {
            logger.warning("export refused: disk nearly full", metadata: ["free": "\(free)", "floor": "\(limits.minimumFreeBytes)"])
            throw ServiceError(code: 68300008, message: "the server is low on disk space and takes no new exports now; "
                               + "please try again later", httpStatus: 503, retryAfter: 60)
        }
        let revision: Int
        do {
            revision = try store.followedRevision()
        } catch {
            throw ServiceError.serviceError("the store could not be read, please try again later")
        }
        let request = specification.parameters.searchRequest(offset: specification.offset, rows: specification.rows)
        let (result, generation) = try search.run(request)
        let pns = result.hits.map(\.pn)
        let created = now()
        let task = ExportTask(
            id: ExportTask.newID(), owner: client?.id, specification: specification, generation: generation,
            // API.md: total is the matching patents after collapse, capped at 100,000.
            total: min(result.total, ExportSpecification.window), count: pns.count, status: .pending, rowsWritten: 0,
            fileName: ExportTask.fileStem(created) + "." + ExportFormat.fileExtension(specification.exportType),
            createdAt: created, updatedAt: created, expiresAt: created.addingTimeInterval(Self.taskLifetime), revision: revision)
        do {
            try tasks.insert(task, result: pns, reservation: client.map { FeeReservation(clientID: $0.id, level: feeLevel) },
                             maximumPending: limits.maximumPendingPerClient)
        } catch let refusal as ServiceError {
            throw refusal
        } catch {
            logger.error("cannot store export task", metadata: ["error": "\(error)"])
            throw ServiceError.serviceError("the task could not be stored, please try again later")
        }
        pool.enqueue(task.id, owner: task.owner)
        metrics.taskCreated(type: specification.exportType)
        logger.info("export task created", metadata: ["task": "\(task.id)", "count": "\(task.count)", "type": "\(specification.exportType.rawValue)"])
        return Created(taskID: task.id, count: task.count, total: task.total)
    }

    /// Tasks by status and the writers' queue, for `/metrics`.
    public func recordGauges() {
        if let counts = try? tasks.statusCounts() { metrics.recordTasks(counts) }
        metrics.recordQueueDepth(pool.depth)
    }

    // MARK: status

    /// A task the caller may see: known, its own, not expired — otherwise 68300004, with
    /// one message for all three so that ids of other clients cannot be probed.
    public func task(_ id: String, owner: String?) throws(ServiceError) -> ExportTask {
        let normalized = id.lowercased()
        guard normalized.count == 32, normalized.allSatisfy(\.isHexDigit) else {
            throw ServiceError.invalidParameter("task_id must be 32 hexadecimal characters")
        }
        let task: ExportTask?
        do {
            task = try tasks.task(normalized)
        } catch {
            throw ServiceError.serviceError("tasks cannot be read, please try again later")
        }
        guard let task, task.owner == owner, task.expiresAt > now() else {
            throw ServiceError.invalidParameter("task_id \(id) is unknown or has expired")
        }
        return task
    }

    /// The signed link of a SUCCESS task, valid until its file expires.
    public func downloadPath(of task: ExportTask) -> String? {
        guard task.status == .success, let expires = task.fileExpiresAt else { return nil }
        let seconds = Int(expires.timeIntervalSince1970)
        return signer.link(taskID: task.id, fileName: task.fileName, expires: seconds)
    }

    /// The finished file of a SUCCESS task.
    public func file(of task: ExportTask) -> String? {
        task.status == .success ? filePath(task) : nil
    }

    // MARK: download

    public struct Download: Sendable {
        public let path: String
        public let fileName: String
        public let size: Int
        public let sha256: String
        public let contentType: String
    }

    public enum DownloadRefusal: Error, Equatable {
        /// Tampered or expired link: 403.
        case forbidden
        /// A valid link whose owner is disabled or expired, or whose task the operator
        /// revoked: 403.
        case revoked
        /// A valid link whose file is gone: 404.
        case gone
    }

    /// Checks a signed link and finds its file. A link works no longer than its owner
    /// may: a disabled or expired client's links, and a revoked task's, answer 403.
    public func download(taskID: String, fileName: String, expires: Int, keyID: String? = nil,
                         signature: String) throws(DownloadRefusal) -> Download {
        let date = now()
        guard signer.verify(taskID: taskID, fileName: fileName, expires: expires, keyID: keyID, signature: signature),
              Double(expires) >= date.timeIntervalSince1970 else { throw .forbidden }
        guard let task = try? tasks.task(taskID), task.status == .success, task.fileName == fileName,
              let size = task.fileSize, let sha256 = task.sha256 else { throw .gone }
        if let fileExpires = task.fileExpiresAt, fileExpires <= date { throw .revoked }
        if let owner = task.owner {
            guard let client = try? accounts.client(owner), client.disabledAt == nil, !client.isExpired(at: date) else {
                throw .revoked
            }
        }
        let path = filePath(task)
        guard FileManager.default.fileExists(atPath: path) else { throw .gone }
        return Download(path: path, fileName: fileName, size: size, sha256: sha256,
                        contentType: ExportFormat.contentType(task.specification.exportType))
    }

    // MARK: expiry

    /// Ends a task's download link now and deletes its file (`patents tasks revoke`).
    public func revoke(_ id: String) throws(ServiceError) {
        do {
            guard try tasks.revoke(id.lowercased(), at: now()) else {
                throw ServiceError.invalidParameter("no export task has the id '\(id)'")
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError.serviceError("the task could not be revoked: \(error)")
        }
        try? FileManager.default.removeItem(atPath: taskDirectory(id.lowercased()))
    }

    /// Deletes tasks and files past their lifetimes; returns how many tasks went.
    @discardableResult
    public func sweep() -> Int {
        do {
            let ids = try tasks.deleteExpired(now: now())
            for id in ids { try? FileManager.default.removeItem(atPath: taskDirectory(id)) }
            if !ids.isEmpty { logger.info("expired export tasks deleted", metadata: ["count": "\(ids.count)"]) }
            return ids.count
        } catch {
            logger.error("sweeping expired tasks failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    // MARK: writing

    func taskDirectory(_ id: String) -> String {
        (exportsDirectory as NSString).appendingPathComponent(id)
    }

    private func attemptDirectory(_ id: String, _ attempt: Int) -> String {
        attempt == 0 ? taskDirectory(id) : (taskDirectory(id) as NSString).appendingPathComponent(String(attempt))
    }

    /// Where a task's file is: `<exports>/<id>/<file>`, or `<exports>/<id>/<attempt>/<file>`
    /// for a task claimed from a shared queue, so that a writer which lost its claim (and
    /// may still finish its file before it notices) never replaces the file of the attempt
    /// that recorded SUCCESS. A task without patents shares one header-only file with
    /// every other empty task of the same type, fields and languages
    /// (`exports/empty/<digest>.<ext>`): a flood of queries that match nothing leaves no
    /// file per task on the disk.
    func filePath(_ task: ExportTask) -> String {
        guard task.count == 0 else { return (attemptDirectory(task.id, task.attempt) as NSString).appendingPathComponent(task.fileName) }
        let specification = task.specification
        let key = "\(specification.exportType.rawValue)|\(specification.fields.joined(separator: ","))|\(specification.lang)|\(specification.transLang)"
        let name = String(Credentials.digest(key).prefix(32)) + "." + ExportFormat.fileExtension(specification.exportType)
        return (exportsDirectory as NSString).appendingPathComponent("empty/\(name)")
    }

    /// Writes one task's file (on a pool thread) and records the outcome, as long as the
    /// claim holds: a writer whose claim was lost (its lease ran out and another took the
    /// task) stops at its next page and records nothing.
    func write(_ claim: TaskClaim) {
        let id = claim.taskID
        var partial: String?
        do {
            guard var task = try tasks.task(id), task.status == .pending else { return }
            task.attempt = claim.attempt
            let path = filePath(task)
            let outcome: ExportJob.Outcome
            if task.count == 0, FileManager.default.fileExists(atPath: path) {
                // Another empty task of the same type and fields wrote the shared file.
                let (size, digest) = try ExportJob.sha256(of: path)
                outcome = ExportJob.Outcome(rows: 0, size: size, sha256: digest)
            } else {
                try awaitFeed(task)
                partial = ExportJob.partialPath(path, taskID: id)
                let job = ExportJob(task: task, result: try tasks.result(id), store: store, path: path, pageSize: paging.pageSize)
                var reported = now()
                outcome = try job.run { rows in
                    if self.pool.isStopping { return false }
                    if self.now().timeIntervalSince(reported) >= self.paging.progressInterval {
                        reported = self.now()
                        guard try self.tasks.progress(claim, rows: rows, at: reported) else { throw ClaimLost() }
                    }
                    self.paging.afterPage?()
                    return true
                }
            }
            let finished = now()
            guard try tasks.succeed(claim, rows: outcome.rows, size: outcome.size, sha256: outcome.sha256, at: finished,
                                    fileExpiresAt: finished.addingTimeInterval(Self.fileLifetime)) else { throw ClaimLost() }
            metrics.taskFinished(.success, rows: outcome.rows)
            logger.info("export task written", metadata: ["task": "\(id)", "rows": "\(outcome.rows)", "bytes": "\(outcome.size)"])
        } catch is ExportJob.Stopped {
            logger.info("export task interrupted by shutdown; it resumes on the next start", metadata: ["task": "\(id)"])
        } catch is ClaimLost {
            // Another writer holds the task now and writes the same file from the same result.
            if let partial { try? FileManager.default.removeItem(atPath: partial) }
            if claim.attempt > 0 { try? FileManager.default.removeItem(atPath: attemptDirectory(id, claim.attempt)) }
            logger.warning("export claim lost; the task is left to its new writer", metadata: ["task": "\(id)", "attempt": "\(claim.attempt)"])
        } catch {
            // What was written is of no use and may be what filled the disk: it goes
            // first, so that the FAIL (and the release of the fee) can be written. A claimed
            // attempt removes only its own folder, and the task's when nothing else is in it:
            // another node may hold the task by now and be writing beside it.
            if claim.attempt > 0 {
                try? FileManager.default.removeItem(atPath: attemptDirectory(id, claim.attempt))
                rmdir(taskDirectory(id))
            } else {
                try? FileManager.default.removeItem(atPath: taskDirectory(id))
            }
            if let partial { try? FileManager.default.removeItem(atPath: partial) }
            logger.error("export task failed", metadata: ["task": "\(id)", "error": "\(error)"])
            do {
                _ = try tasks.fail(claim, error: "\(error)", at: now())
            } catch {
                logger.critical("export task failed and its failure cannot be recorded; it is written again on the next start",
                                metadata: ["task": "\(id)", "error": "\(error)"])
            }
            metrics.taskFinished(.fail, rows: 0)
        }
    }
}

extension ExportTaskService {
    /// Many machines: waits, at most `feedWait` seconds, until this node's store has
    /// followed the patents' feed as far as the task's search saw (`ExportTask.revision`),
    /// so that every patent of its result is here — a task created on a node that had just
    /// taken a publication in. Still behind then, the task is written with what is here: a
    /// patent missing fails it, naming the patent.
    func awaitFeed(_ task: ExportTask) throws {
        guard task.revision > 0 else { return }
        let deadline = Date().addingTimeInterval(Self.feedWait)
        while try store.followedRevision() < task.revision, Date() < deadline, !pool.isStopping {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Seconds a writer waits for its store to follow the feed (it follows within about
    /// one; a lease is 30 by default).
    static let feedWait: TimeInterval = 10
}

/// What one client, and all together, may ask of the export writers and the disk.
public struct TaskLimits: Sendable {
    /// A client's tasks waiting or being written at once; one more is refused (67200007).
    public var maximumPendingPerClient = 10
    /// Free bytes the data folder's file system must keep; below, creates are refused
    /// (68300008, HTTP 503) so that files being written and the databases have room.
    public var minimumFreeBytes = 512 << 20

    public init() {}
}

/// How export files are written page by page: patents read from the store at a time,
/// how often progress is recorded, and a hook after each page (the binary's crash tests
/// use it to slow writing down so that a kill lands mid-file).
public struct ExportPaging: Sendable {
    public var pageSize = 500
    /// Progress (`rows_written`) is written at most this often per task.
    public var progressInterval: TimeInterval = 0.5
    public var afterPage: (@Sendable () -> Void)?

    public init() {}
}

/// A writer's claim on its task no longer holds.
private struct ClaimLost: Error {}

/// Lets the pool's work closure reach the service without a retain cycle.
private final class WeakBox: @unchecked Sendable {
    weak var service: ExportTaskService?
}
