import Foundation
import PatentAccounts
import PatentTasks
import PostgresNIO

/// The export service's storage on the shared database: what `patents serve --database`
/// and the operator's commands run on instead of the data folder's `tasks.sqlite`.
extension SharedDatabase {
    /// Migrates the schema, then gives the repositories, the shared signing key and claim
    /// settings for this node's writers. `exportsDirectory` must be a folder every node
    /// reaches (the same path on each): a file written on one node is downloaded from any.
    /// Blocks until the schema is migrated and the key read (at start, not on an event loop).
    public func serviceStorage(exportsDirectory: String, node: String, lease: TimeInterval = 30,
                               hashing: Credentials.Hashing = .production) throws -> ServiceStorage {
        let signer = try BlockingBridge.shared.wait { [self] in
            try await migrate()
            return try await downloadSigner()
        }
        let tasks = PostgresTaskRepository(database: self, lease: lease)
        return ServiceStorage(
            tasks: tasks, accounts: AccountStore(repository: PostgresAccountRepository(database: self), hashing: hashing),
            signer: signer, exportsDirectory: exportsDirectory, claims: ClaimSettings(claiming: tasks, node: node))
    }

    /// Opens the pool on `url` and checks at once that the server answers and the login
    /// works (blocking; for the commands).
    public static func open(url: String, logger: Logger = Logger(label: "patents.postgres")) throws -> SharedDatabase {
        let database = try SharedDatabase(url: url, logger: logger)
        try BlockingBridge.shared.wait { try await database.checkConnection() }
        return database
    }

    /// The newest signing key, created by the first node that finds none (under the
    /// migrations' advisory lock, so nodes starting together agree on one). Links name it by
    /// its id; a key id this node has not loaded is read from the database when a link
    /// names it (a key added after this node started).
    public func downloadSigner() async throws -> DownloadSigner {
        let (kid, secret) = try await transaction { connection -> (String, [UInt8]) in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            let rows = try await connection.query("""
                SELECT kid, secret FROM signing_key WHERE not_after IS NULL OR not_after > now() ORDER BY created_at DESC, kid LIMIT 1
                """, logger: logger)
            for try await (kid, secret) in rows.decode((String, ByteBuffer).self) { return (kid, Array(buffer: secret)) }
            let kid = DownloadSigner.newSecret().prefix(8).map { String(format: "%02x", $0) }.joined()
            let secret = DownloadSigner.newSecret()
            try await connection.query("INSERT INTO signing_key (kid, secret) VALUES (\(kid), \(ByteBuffer(bytes: secret)))",
                                       logger: logger)
            return (kid, secret)
        }
        let (pool, poolLogger) = (client, logger)
        return DownloadSigner(secret: secret, keyID: kid) { other in
            try? BlockingBridge.shared.wait { () -> [UInt8]? in
                let rows = try await pool.query("""
                    SELECT secret FROM signing_key WHERE kid = \(other) AND (not_after IS NULL OR not_after > now())
                    """, logger: poolLogger)
                for try await secret in rows.decode(ByteBuffer.self) { return Array(buffer: secret) }
                return nil
            }
        }
    }
}
