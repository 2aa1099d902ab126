import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL database that several `patents serve` nodes share (`--database
/// postgresql://…`): the state every node must see the same — clients, keys, tokens,
/// prices, ledger, export tasks with their claims, signing keys, nodes. One machine keeps
/// using SQLite in `--data`; this is the second implementation for many machines.
///
/// A connection pool (`PostgresClient`) runs for the value's life; `close()` ends it.
public final class SharedDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger
    private let address: Address
    private let runner: Task<Void, Never>

    /// Opens a pool on `url` (`postgresql://user[:password]@host[:port]/database`); nothing
    /// is connected until the first query.
    /// `connections` caps the pool; a connection idle for `idleTimeout` is closed.
    public init(url: String, logger: Logger = Logger(label: "patents.postgres"), connections: Int = 16,
                idleTimeout: Duration = .seconds(60)) throws(DatabaseURLError) {
        address = try Self.address(url)
        var configuration = PostgresClient.Configuration(host: address.host, port: address.port, username: address.user,
                                                         password: address.password, database: address.database, tls: .disable)
        configuration.options.maximumConnections = max(1, connections)
        configuration.options.connectionIdleTimeout = idleTimeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The pool's own work runs where the repositories' queries do (see BlockingBridge).
        runner = Task(executorPreference: BlockingBridge.shared) { await client.run() }
    }

    /// Stops the pool (its connections close).
    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    /// Runs `body` in a transaction (committed when it returns, rolled back when it throws);
    /// a refusal `body` throws comes out as it is once the rollback went through.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if error.beginError == nil, error.rollbackError == nil, error.commitError == nil, let refusal = error.closureError {
                throw refusal
            }
            throw error
        }
    }

    /// Connects once outside the pool, which would keep retrying: an unreachable server or
    /// a refused login is an error at once.
    public func checkConnection() async throws {
        let configuration = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.user,
                                                             password: address.password, database: address.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try await connection.close()
    }

    /// Where a database URL points.
    struct Address: Equatable {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String
    }

    /// The server and database a URL names, or which part of it is wrong.
    static func address(_ url: String) throws(DatabaseURLError) -> Address {
        guard let components = URLComponents(string: url) else { throw DatabaseURLError(url: url, problem: "not a URL") }
        guard let scheme = components.scheme, ["postgresql", "postgres"].contains(scheme) else {
            throw DatabaseURLError(url: url, problem: "the scheme must be postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError(url: url, problem: "no host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError(url: url, problem: "no user name") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw DatabaseURLError(url: url, problem: "the path must name one database")
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw DatabaseURLError(url: url, problem: "port \(port) out of range") }
        return Address(host: host, port: port, user: user, password: components.password, database: database)
    }
}

/// A `--database` value that does not name a PostgreSQL database (the password is never echoed).
public struct DatabaseURLError: Error, CustomStringConvertible {
    public let url: String
    public let problem: String

    public var description: String {
        var shown = URLComponents(string: url)
        if shown?.password != nil { shown?.password = "***" }
        return "--database \(shown?.string ?? "value"): \(problem) (expected postgresql://user[:password]@host[:port]/database)"
    }
}
