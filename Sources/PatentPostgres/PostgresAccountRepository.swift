import Foundation
import PatentAccounts
import PatentTasks
import PostgresNIO

/// ``AccountRepository`` on the shared database: clients, keys, tokens, prices, field levels
/// and the ledger every node reads and writes. Each method is one statement or one
/// transaction; money moves only with a ledger line, as on SQLite.
public final class PostgresAccountRepository: AccountRepository {
    let database: SharedDatabase

    public init(database: SharedDatabase) {
        self.database = database
    }

    /// Runs `body` on the pool (blocking the calling thread; see ``BlockingBridge``).
    private func run<T: Sendable>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) throws -> T {
        let (client, logger) = (database.client, database.logger)
        return try BlockingBridge.shared.wait { try await body(client, logger) }
    }

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) throws -> T {
        let database = database
        return try BlockingBridge.shared.wait { try await database.transaction { try await body($0, database.logger) } }
    }

    // MARK: clients

    static let clientColumns = """
        id, name, created_at, expires_at, disabled_at, apis, max_level, balance, held, daily_quota, monthly_quota,
        package_patents, package_period, rate_per_second, rate_per_minute, secret_hash
        """

    public func insertClient(_ new: NewClientRecord) throws {
        try transaction { connection, logger in
            try await connection.query("""
                INSERT INTO client (id, name, secret_hash, created_at, expires_at, apis, max_level, daily_quota, monthly_quota,
                    rate_per_second, rate_per_minute)
                VALUES (\(new.id), \(new.name), \(new.secretHash), \(new.createdAt.timeIntervalSince1970),
                    \(new.expiresAt?.timeIntervalSince1970), \(new.apis), \(new.maxLevel), \(new.dailyQuota), \(new.monthlyQuota),
                    \(new.ratePerSecond), \(new.ratePerMinute))
                """, logger: logger)
            if new.openingBalance > 0 {
                try await Self.topUp(connection, clientID: new.id, amount: new.openingBalance, note: "opening balance",
                                     at: new.createdAt, logger: logger)
            }
        }
    }

    public func clients() throws -> [ClientAccount] {
        try run { client, logger in
            var found: [ClientAccount] = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT \(Self.clientColumns) FROM client ORDER BY created_at, id"),
                                              logger: logger)
            for try await row in rows { found.append(try Self.client(row.makeRandomAccess())) }
            return found
        }
    }

    public func client(_ id: String) throws -> ClientAccount? {
        try clientWithSecretHash(id)?.client
    }

    public func clientWithSecretHash(_ id: String) throws -> (client: ClientAccount, secretHash: String)? {
        try run { client, logger in
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.clientColumns) FROM client WHERE id = $1")
            query.binds.append(id)
            for try await row in try await client.query(query, logger: logger) {
                let columns = row.makeRandomAccess()
                return (try Self.client(columns), try columns["secret_hash"].decode(String.self))
            }
            return nil
        }
    }

    public func clientCount() throws -> Int {
        try run { client, logger in
            for try await count in try await client.query("SELECT COUNT(*)::BIGINT FROM client", logger: logger).decode(Int.self) {
                return count
            }
            return 0
        }
    }

    public func update(_ id: String, _ change: ClientChange) throws {
        try transaction { connection, logger in
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM client WHERE id = \(id) FOR UPDATE", logger: logger) {
                exists = true
            }
            guard exists else { throw AccountStore.Failure.unknownClient(id) }
            switch change {
            case .disable(let date):
                try await connection.query("UPDATE client SET disabled_at = \(date.timeIntervalSince1970) WHERE id = \(id)", logger: logger)
                try await connection.query("DELETE FROM access_token WHERE client_id = \(id)", logger: logger)
            case .enable:
                try await connection.query("UPDATE client SET disabled_at = NULL WHERE id = \(id)", logger: logger)
            case .secretHash(let hash):
                try await connection.query("UPDATE client SET secret_hash = \(hash) WHERE id = \(id)", logger: logger)
                try await connection.query("DELETE FROM access_token WHERE client_id = \(id)", logger: logger)
            case .expiry(let date):
                try await connection.query("UPDATE client SET expires_at = \(date?.timeIntervalSince1970) WHERE id = \(id)", logger: logger)
            case .topUp(let amount, let note, let date):
                try await Self.topUp(connection, clientID: id, amount: amount, note: note, at: date, logger: logger)
            case .quota(let daily, let monthly):
                try await connection.query("UPDATE client SET daily_quota = \(daily), monthly_quota = \(monthly) WHERE id = \(id)",
                                           logger: logger)
            case .rate(let perSecond, let perMinute):
                try await connection.query("""
                    UPDATE client SET rate_per_second = \(perSecond), rate_per_minute = \(perMinute) WHERE id = \(id)
                    """, logger: logger)
            case .package(let apis, let maxLevel, let allowance):
                try await connection.query("""
                    UPDATE client SET apis = \(apis), max_level = \(maxLevel), package_patents = \(allowance?.patents),
                        package_period = \(allowance?.period.rawValue) WHERE id = \(id)
                    """, logger: logger)
            }
        }
    }

    static func topUp(_ connection: PostgresConnection, clientID: String, amount: Int, note: String?, at date: Date,
                      logger: Logger) async throws {
        try await connection.query("UPDATE client SET balance = balance + \(amount) WHERE id = \(clientID)", logger: logger)
        try await connection.query("""
            INSERT INTO ledger (client_id, at, kind, amount, patents, note)
            VALUES (\(clientID), \(date.timeIntervalSince1970), 'topup', \(amount), 0, \(note))
            """, logger: logger)
    }

    // MARK: keys and tokens

    public func insertKey(hash: String, clientID: String, prefix: String, at date: Date) throws {
        try transaction { connection, logger in
            var exists = false
            for try await _ in try await connection.query("SELECT 1 FROM client WHERE id = \(clientID)", logger: logger) { exists = true }
            guard exists else { throw AccountStore.Failure.unknownClient(clientID) }
            try await connection.query("""
                INSERT INTO api_key (hash, client_id, prefix, created_at) VALUES (\(hash), \(clientID), \(prefix), \(date.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    public func keys(of id: String) throws -> [AccountStore.KeyInfo] {
        try transaction { connection, logger in try await Self.keys(connection, id, logger: logger) }
    }

    static func keys(_ connection: PostgresConnection, _ id: String, logger: Logger) async throws -> [AccountStore.KeyInfo] {
        var keys: [AccountStore.KeyInfo] = []
        let rows = try await connection.query("""
            SELECT prefix, created_at, revoked_at FROM api_key WHERE client_id = \(id) ORDER BY created_at
            """, logger: logger)
        for try await (prefix, created, revoked) in rows.decode((String, Double, Double?).self) {
            keys.append(AccountStore.KeyInfo(prefix: prefix, createdAt: Date(timeIntervalSince1970: created),
                                             revokedAt: revoked.map(Date.init(timeIntervalSince1970:))))
        }
        return keys
    }

    public func revokeKeys(of id: String, prefix: String, at date: Date) throws -> Int {
        try run { client, logger in
            var count = 0
            // `left` compares the prefix literally (no LIKE patterns).
            let rows = try await client.query("""
                UPDATE api_key SET revoked_at = \(date.timeIntervalSince1970)
                WHERE client_id = \(id) AND revoked_at IS NULL AND left(prefix, length(\(prefix))) = \(prefix)
                RETURNING 1
                """, logger: logger)
            for try await _ in rows { count += 1 }
            return count
        }
    }

    public func keyOwner(hash: String) throws -> String? {
        try run { client, logger in
            let rows = try await client.query("SELECT client_id FROM api_key WHERE hash = \(hash) AND revoked_at IS NULL", logger: logger)
            for try await owner in rows.decode(String.self) { return owner }
            return nil
        }
    }

    public func insertToken(hash: String, clientID: String, issuedAt: Date, expiresAt: Date, purgeBefore: Date) throws {
        try transaction { connection, logger in
            try await connection.query("DELETE FROM access_token WHERE expires_at < \(purgeBefore.timeIntervalSince1970)", logger: logger)
            try await connection.query("""
                INSERT INTO access_token (hash, client_id, issued_at, expires_at)
                VALUES (\(hash), \(clientID), \(issuedAt.timeIntervalSince1970), \(expiresAt.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    public func tokenOwner(hash: String, at date: Date) throws -> String? {
        try run { client, logger in
            let rows = try await client.query("""
                SELECT client_id FROM access_token WHERE hash = \(hash) AND expires_at > \(date.timeIntervalSince1970)
                """, logger: logger)
            for try await owner in rows.decode(String.self) { return owner }
            return nil
        }
    }

    // MARK: prices and levels

    public func prices() throws -> [Int: Int] {
        try dictionary("SELECT level, unit_price FROM level_price")
    }

    /// A query's two columns as keys and values.
    private func dictionary<Key: PostgresDecodable & Hashable & Sendable, Value: PostgresDecodable & Sendable>(
        _ query: PostgresQuery) throws -> [Key: Value] {
        try run { client, logger in
            var values: [Key: Value] = [:]
            for try await (key, value) in try await client.query(query, logger: logger).decode((Key, Value).self) { values[key] = value }
            return values
        }
    }

    public func setPrice(level: Int, cents: Int) throws {
        try run { client, logger in
            try await client.query("""
                INSERT INTO level_price (level, unit_price) VALUES (\(level), \(cents))
                ON CONFLICT (level) DO UPDATE SET unit_price = EXCLUDED.unit_price
                """, logger: logger)
        }
    }

    public func fieldLevelOverrides() throws -> [String: Int] {
        try dictionary("SELECT code, level FROM field_level")
    }

    public func setFieldLevel(_ code: String, level: Int?) throws {
        try run { client, logger in
            if let level {
                try await client.query("""
                    INSERT INTO field_level (code, level) VALUES (\(code), \(level))
                    ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level
                    """, logger: logger)
            } else {
                try await client.query("DELETE FROM field_level WHERE code = \(code)", logger: logger)
            }
        }
    }

    // MARK: statements

    public func statement(_ id: String, at date: Date) throws -> AccountStore.Statement {
        try transaction { connection, logger in
            // One snapshot for the client row, its ledger and its usage.
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: logger)
            var query = PostgresQuery(unsafeSQL: "SELECT \(Self.clientColumns) FROM client WHERE id = $1")
            query.binds.append(id)
            var found: ClientAccount?
            for try await row in try await connection.query(query, logger: logger) { found = try Self.client(row.makeRandomAccess()) }
            guard let client = found else { throw AccountStore.Failure.unknownClient(id) }
            var entries: [LedgerEntry] = []
            let rows = try await connection.query("""
                SELECT id, at, kind, amount, patents, task_id, note FROM ledger WHERE client_id = \(id) ORDER BY id
                """, logger: logger)
            for try await (entryID, at, kind, amount, patents, taskID, note)
                in rows.decode((Int, Double, String, Int, Int, String?, String?).self) {
                guard let kind = LedgerEntry.Kind(rawValue: kind) else { continue }
                entries.append(LedgerEntry(id: entryID, at: Date(timeIntervalSince1970: at), kind: kind, amount: amount,
                                           patents: patents, taskID: taskID, note: note))
            }
            let periods = AccountStore.Statement.usagePeriods(at: date)
            let usedToday = try await SharedDatabase.usage(connection, clientID: id, since: periods.day, logger: logger)
            let usedThisMonth = try await SharedDatabase.usage(connection, clientID: id, since: periods.month, logger: logger)
            return AccountStore.Statement(client: client, entries: entries, usedToday: usedToday, usedThisMonth: usedThisMonth,
                                          keys: try await Self.keys(connection, id, logger: logger))
        }
    }

    // MARK: rows

    static func client(_ row: PostgresRandomAccessRow) throws -> ClientAccount {
        func date(_ column: String) throws -> Date? { try row[column].decode(Double?.self).map(Date.init(timeIntervalSince1970:)) }
        return ClientAccount(
            id: try row["id"].decode(String.self), name: try row["name"].decode(String.self), createdAt: try date("created_at")!,
            expiresAt: try date("expires_at"), disabledAt: try date("disabled_at"),
            apis: ClientAccount.apis(stored: try row["apis"].decode(String.self)), maxLevel: try row["max_level"].decode(Int.self),
            balance: try row["balance"].decode(Int.self), held: try row["held"].decode(Int.self),
            dailyQuota: try row["daily_quota"].decode(Int?.self), monthlyQuota: try row["monthly_quota"].decode(Int?.self),
            packageAllowance: PackageAllowance(stored: try row["package_patents"].decode(Int?.self),
                                               period: try row["package_period"].decode(String?.self)),
            ratePerSecond: try row["rate_per_second"].decode(Int?.self), ratePerMinute: try row["rate_per_minute"].decode(Int?.self))
    }
}
