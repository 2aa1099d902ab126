import Foundation
import PatentAccounts

/// A writer's hold on one export task: the task and the attempt it is, the fencing token.
/// On one machine the data folder's lock already makes this process the only writer and
/// the attempt is 0; on many, `TaskClaiming` hands claims out with leases.
public struct TaskClaim: Sendable, Equatable {
    public let taskID: String
    public let attempt: Int
    /// The writer holding it (`<node>/<n>`); empty on one machine.
    public let worker: String

    public init(taskID: String, attempt: Int, worker: String = "") {
        self.taskID = taskID
        self.attempt = attempt
        self.worker = worker
    }
}

/// What a task's creation sets aside: the client who pays and the task's fee level.
public struct FeeReservation: Sendable, Equatable {
    public let clientID: String
    public let level: Int

    public init(clientID: String, level: Int) {
        self.clientID = clientID
        self.level = level
    }
}

/// Where export tasks and their results are kept: `tasks.sqlite` in the data folder on one
/// machine (``SQLiteTaskRepository``), PostgreSQL when several nodes share the work.
///
/// A task's result — the ordered publication numbers its file will hold — is stored with it
/// in one transaction, and so is its fee reservation; its charge or release commits with its
/// final status. The methods block: they are called on the request pool's threads and the
/// export writers', never on an event loop.
public protocol TaskRepository: Sendable {
    /// Stores a task and its result; with a `reservation`, sets its fee aside in the same
    /// transaction (throwing the ledger's refusals, and storing nothing then), and refuses
    /// (67200007) when the client already has `maximumPending` tasks waiting or being written.
    func insert(_ task: ExportTask, result: [String], reservation: FeeReservation?, maximumPending: Int) throws

    func task(_ id: String) throws -> ExportTask?

    func result(_ id: String) throws -> [String]

    /// PENDING tasks with their owners, oldest first.
    func pending() throws -> [(id: String, owner: String?)]

    /// Records the rows written so far (and extends the claim's lease where there is one);
    /// false when the claim no longer holds and its writer must stop.
    func progress(_ claim: TaskClaim, rows: Int, at date: Date) throws -> Bool

    /// SUCCESS and the charge, in one transaction, if the claim still holds; false (nothing
    /// changed) when it does not.
    func succeed(_ claim: TaskClaim, rows: Int, size: Int, sha256: String, at date: Date, fileExpiresAt: Date) throws -> Bool

    /// FAIL and the release of the fee, if the claim still holds.
    func fail(_ claim: TaskClaim, error: String, at date: Date) throws -> Bool

    /// Ends the task's file lifetime now; false when no task has the id.
    func revoke(_ id: String, at date: Date) throws -> Bool

    /// Counts of tasks by status (for `/metrics`).
    func statusCounts() throws -> [ExportStatus: Int]

    /// Deletes finished tasks whose id and file have both expired; returns their ids. A
    /// PENDING task is never deleted: it is written (and charged or released) first.
    func deleteExpired(now: Date) throws -> [String]
}

/// Claims with leases, for writers on several nodes (SCALE-OUT.md's river / Oban pattern):
/// a waiting task is claimed by exactly one writer, which extends its lease with each
/// `progress`; `reap` returns tasks whose lease ran out to waiting, or fails them (their
/// fee released) once they used up their attempts.
public protocol TaskClaiming: Sendable {
    /// How long a claim holds without progress (seconds).
    var lease: TimeInterval { get }

    /// The oldest waiting task, now claimed by `worker`; nil when none waits.
    func claimNext(worker: String) throws -> TaskClaim?

    /// Tasks whose lease ran out: back to waiting, or FAIL after `maxAttempts` claims.
    func reap(maxAttempts: Int, at date: Date) throws -> (requeued: Int, failed: Int)
}

/// Decodes a task's stored specification (JSON text), for every back end.
extension ExportSpecification {
    public static func decode(stored text: String) throws -> ExportSpecification {
        try JSONDecoder().decode(ExportSpecification.self, from: Data(text.utf8))
    }

    public func encodedForStorage() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }
}

extension ServiceError {
    /// 67200007: the client's tasks waiting or being written are at the cap.
    public static func tooManyPending(_ pending: Int, maximum: Int) -> ServiceError {
        ServiceError(code: 67200007, message: "too many export tasks in progress: this client has \(pending) "
                     + "waiting or being written (at most \(maximum)); create more when one has finished",
                     httpStatus: 429, retryAfter: 5)
    }
}
