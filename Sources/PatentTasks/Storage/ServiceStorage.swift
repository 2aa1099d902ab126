import Foundation
import PatentAccounts

/// Where the export service keeps what outlives a request: tasks, accounts, the key that
/// signs download links and the export files — and how tasks reach a writer.
///
/// One machine (``local(directory:hashing:)``, the default): `tasks.sqlite`, `secret.key`
/// and `exports/` in the data folder, tasks queued in this process. Several machines: the
/// repositories on a shared PostgreSQL (PatentPostgres), a signing key every node reads,
/// an exports folder every node reaches, and writers on every node claiming tasks
/// (`claims`) with leases.
public struct ServiceStorage: Sendable {
    public var tasks: any TaskRepository
    public var accounts: AccountStore
    public var signer: DownloadSigner
    /// Export files, under `<id>/` per task and `empty/` for shared header-only files.
    public var exportsDirectory: String
    /// Set when several nodes share the tasks: writers claim from it instead of this
    /// process's own queue.
    public var claims: ClaimSettings?

    public init(tasks: any TaskRepository, accounts: AccountStore, signer: DownloadSigner, exportsDirectory: String,
                claims: ClaimSettings? = nil) {
        self.tasks = tasks
        self.accounts = accounts
        self.signer = signer
        self.exportsDirectory = exportsDirectory
        self.claims = claims
    }

    /// `tasks.sqlite`, `secret.key` and `exports/` in `directory`.
    public static func local(directory: String, hashing: Credentials.Hashing = .production) throws -> ServiceStorage {
        let database = try ServiceDatabase.open(directory: directory)
        return ServiceStorage(
            tasks: SQLiteTaskRepository(pool: database),
            accounts: AccountStore(repository: SQLiteAccountRepository(pool: database), hashing: hashing),
            signer: try DownloadSigner.loadOrCreate(directory: directory),
            exportsDirectory: (directory as NSString).appendingPathComponent("exports"))
    }
}

/// How this node's writers take part in a shared queue.
public struct ClaimSettings: Sendable {
    public var claiming: any TaskClaiming
    /// This node's name; each writer claims as `<node>/<n>`.
    public var node: String
    /// How often an idle writer looks for waiting tasks (a task created on this node wakes
    /// one at once).
    public var pollInterval: TimeInterval
    /// Claims a task may use up; one more lease running out fails it and releases its fee.
    public var maxAttempts: Int

    public init(claiming: any TaskClaiming, node: String, pollInterval: TimeInterval = 1, maxAttempts: Int = 3) {
        self.claiming = claiming
        self.node = node
        self.pollInterval = pollInterval
        self.maxAttempts = maxAttempts
    }
}
