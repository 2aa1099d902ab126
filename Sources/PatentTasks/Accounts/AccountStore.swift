import Foundation
import GRDB
import PatentQuery

/// Clients, their API keys and access tokens, level prices and the ledger, in
/// `tasks.sqlite`. The operator's CLI and the server share it; every change is one
/// transaction and takes effect on the next request.
public final class AccountStore: Sendable {
    /// Access tokens live 1799 s, as PatSnap's do.
    public static let tokenLifetime = 1799

    let pool: DatabasePool
    let hashing: Credentials.Hashing
    /// Verified against for unknown client ids, with the rounds new secrets get.
    let decoy: String

    public convenience init(directory: String, hashing: Credentials.Hashing = .production) throws {
        self.init(pool: try ServiceDatabase.open(directory: directory), hashing: hashing)
    }

    init(pool: DatabasePool, hashing: Credentials.Hashing = .production) {
        self.pool = pool
        self.hashing = hashing
        decoy = Credentials.decoy(rounds: hashing.rounds)
    }

    /// Refusals of the operator's commands.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownClient(String)
        case unknownKey(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .unknownClient(let id): "no client has the id '\(id)'"
            case .unknownKey(let prefix): "no API key starts with '\(prefix)'"
            case .invalid(let message): message
            }
        }
    }

    /// What a new client is given.
    public struct NewClient: Sendable {
        public var name: String
        public var balance = 0
        public var apis = Set(PlatformAPI.allCases)
        public var maxLevel = 3
        public var expiresAt: Date?
        public var dailyQuota: Int?
        public var monthlyQuota: Int?
        public var ratePerSecond: Int?
        public var ratePerMinute: Int?

        public init(name: String) { self.name = name }
    }

    // MARK: clients

    /// Creates a client; its secret is returned once and stored only as a slow hash.
    public func createClient(_ new: NewClient, at date: Date = Date()) throws -> (client: ClientAccount, secret: String) {
        guard (1...3).contains(new.maxLevel) else { throw Failure.invalid("the field level must be 1, 2 or 3, not \(new.maxLevel)") }
        guard new.balance >= 0 else { throw Failure.invalid("the opening balance cannot be negative") }
        let id = Credentials.newClientID()
        let secret = Credentials.newSecret()
        let hash = Credentials.hashSecret(secret, rounds: hashing.rounds)
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO client (id, name, secret_hash, created_at, expires_at, apis, max_level, daily_quota, monthly_quota,
                    rate_per_second, rate_per_minute) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, new.name, hash, date.timeIntervalSince1970, new.expiresAt?.timeIntervalSince1970,
                                 Self.apiList(new.apis), new.maxLevel, new.dailyQuota, new.monthlyQuota,
                                 new.ratePerSecond, new.ratePerMinute])
            if new.balance > 0 { try Ledger.topUp(db, clientID: id, amount: new.balance, note: "opening balance", at: date) }
        }
        return (try client(id)!, secret)
    }

    public func clients() throws -> [ClientAccount] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM client ORDER BY created_at, id").map(Self.client) }
    }

    public func client(_ id: String) throws -> ClientAccount? {
        try pool.read { db in try Self.client(db, id) }
    }

    public var isEmpty: Bool {
        get throws { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM client") ?? 0 } == 0 }
    }

    /// Disables a client and revokes its tokens; its keys stop working while it is disabled.
    public func disable(_ id: String, at date: Date = Date()) throws {
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET disabled_at = ? WHERE id = ?", arguments: [date.timeIntervalSince1970, id])
            try db.execute(sql: "DELETE FROM access_token WHERE client_id = ?", arguments: [id])
        }
    }

    /// A new secret for the client, returned once and stored as its PBKDF2 hash; the old
    /// secret stops working and every token issued with it is revoked.
    public func rotateSecret(_ id: String) throws -> String {
        let secret = Credentials.newSecret()
        let hash = Credentials.hashSecret(secret, rounds: hashing.rounds)
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET secret_hash = ? WHERE id = ?", arguments: [hash, id])
            try db.execute(sql: "DELETE FROM access_token WHERE client_id = ?", arguments: [id])
        }
        return secret
    }

    public func enable(_ id: String) throws {
        try update(id) { db in try db.execute(sql: "UPDATE client SET disabled_at = NULL WHERE id = ?", arguments: [id]) }
    }

    /// Sets (or with nil clears) the date after which the client is refused with 67200006.
    public func setExpiry(_ id: String, _ date: Date?) throws {
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET expires_at = ? WHERE id = ?", arguments: [date?.timeIntervalSince1970, id])
        }
    }

    /// Adds money; the ledger records it with `note`.
    public func topUp(_ id: String, amount: Int, note: String? = nil, at date: Date = Date()) throws {
        guard amount > 0 else { throw Failure.invalid("a top-up must be a positive amount") }
        try update(id) { db in try Ledger.topUp(db, clientID: id, amount: amount, note: note, at: date) }
    }

    /// Patents per day and month; nil: unlimited.
    public func setQuota(_ id: String, daily: Int?, monthly: Int?) throws {
        guard (daily ?? 0) >= 0, (monthly ?? 0) >= 0 else { throw Failure.invalid("a quota cannot be negative") }
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET daily_quota = ?, monthly_quota = ? WHERE id = ?", arguments: [daily, monthly, id])
        }
    }

    /// Requests per second and minute; nil: the server's defaults.
    public func setRate(_ id: String, perSecond: Int?, perMinute: Int?) throws {
        guard (perSecond ?? 1) >= 1, (perMinute ?? 1) >= 1 else { throw Failure.invalid("a rate must be at least 1") }
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET rate_per_second = ?, rate_per_minute = ? WHERE id = ?",
                           arguments: [perSecond, perMinute, id])
        }
    }

    /// The package: operations and highest field level.
    /// The package: its APIs, highest field level and own allowance of patents (nil: none).
    public func setPackage(_ id: String, apis: Set<PlatformAPI>, maxLevel: Int, allowance: PackageAllowance? = nil) throws {
        guard (1...3).contains(maxLevel) else { throw Failure.invalid("the field level must be 1, 2 or 3, not \(maxLevel)") }
        if let allowance, allowance.patents < 0 {
            throw Failure.invalid("the package allowance must be 0 or more patents, not \(allowance.patents)")
        }
        try update(id) { db in
            try db.execute(sql: "UPDATE client SET apis = ?, max_level = ?, package_patents = ?, package_period = ? WHERE id = ?",
                           arguments: [Self.apiList(apis), maxLevel, allowance?.patents, allowance?.period.rawValue, id])
        }
    }

    // MARK: API keys

    public struct KeyInfo: Sendable, Equatable, Codable {
        /// `sk-` and the key's first 8 characters: enough to name it, useless to call with.
        public let prefix: String
        public let createdAt: Date
        public let revokedAt: Date?
    }

    /// A new `sk-` key for the client, returned once; stored as its SHA-256.
    public func createKey(for id: String, at date: Date = Date()) throws -> String {
        let key = Credentials.newAPIKey()
        try update(id) { db in
            try db.execute(sql: "INSERT INTO api_key (hash, client_id, prefix, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [Credentials.digest(key), id, String(key.prefix(11)), date.timeIntervalSince1970])
        }
        return key
    }

    public func keys(of id: String) throws -> [KeyInfo] {
        try pool.read { db in try Self.keys(db, id) }
    }

    static func keys(_ db: Database, _ id: String) throws -> [KeyInfo] {
        try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE client_id = ? ORDER BY created_at", arguments: [id]).map { row in
            KeyInfo(prefix: row["prefix"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Revokes the client's keys whose prefix starts with `prefix`, compared literally
    /// (`%` and `_` are characters, not patterns); returns how many.
    public func revokeKeys(of id: String, prefix: String, at date: Date = Date()) throws -> Int {
        guard !prefix.isEmpty else { throw Failure.invalid("name the key to revoke by its prefix (sk-…)") }
        let count = try pool.write { db in
            try db.execute(sql: """
                UPDATE api_key SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL AND substr(prefix, 1, length(?)) = ?
                """, arguments: [date.timeIntervalSince1970, id, prefix, prefix])
            return db.changesCount
        }
        guard count > 0 else { throw Failure.unknownKey(prefix) }
        return count
    }

    // MARK: prices

    /// Cents per exported patent for each field level.
    public func prices() throws -> [Int: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT level, unit_price FROM level_price").map {
                ($0["level"] as Int, $0["unit_price"] as Int)
            })
        }
    }

    /// The fee level of every export field: the operator's choice, else the catalogue's.
    public func fieldLevels() throws -> FieldLevels {
        try pool.read { db in
            FieldLevels(overrides: Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT code, level FROM field_level").map {
                ($0["code"] as String, $0["level"] as Int)
            }))
        }
    }

    /// Sets an export field's fee level (1–3); the catalogue's level again with `nil`.
    public func setFieldLevel(_ code: String, level: Int?) throws {
        guard let field = FieldCatalogue.exportField(code) else {
            throw Failure.invalid("no export field is called '\(code)' (patents fields lists them)")
        }
        if let level, !(1...3).contains(level) { throw Failure.invalid("the field level must be 1, 2 or 3, not \(level)") }
        try pool.write { db in
            if let level {
                try db.execute(sql: "INSERT OR REPLACE INTO field_level (code, level) VALUES (?, ?)", arguments: [field.code, level])
            } else {
                try db.execute(sql: "DELETE FROM field_level WHERE code = ?", arguments: [field.code])
            }
        }
    }

    public func setPrice(level: Int, cents: Int) throws {
        guard (1...3).contains(level) else { throw Failure.invalid("the field level must be 1, 2 or 3, not \(level)") }
        guard cents >= 0 else { throw Failure.invalid("a price cannot be negative") }
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO level_price (level, unit_price) VALUES (?, ?)", arguments: [level, cents])
        }
    }

    // MARK: statements

    /// Everything that explains a client's balance.
    public struct Statement: Sendable, Codable {
        public let client: ClientAccount
        public let entries: [LedgerEntry]
        public let toppedUp: Int
        public let reserved: Int
        public let charged: Int
        public let released: Int
        public let usedToday: Int
        public let usedThisMonth: Int
        public let keys: [KeyInfo]
    }

    public func statement(_ id: String, at date: Date = Date()) throws -> Statement {
        try pool.read { db in
            guard let client = try Self.client(db, id) else { throw Failure.unknownClient(id) }
            let entries = try Ledger.entries(db, clientID: id)
            func sum(_ kind: LedgerEntry.Kind) -> Int { entries.filter { $0.kind == kind }.reduce(0) { $0 + $1.amount } }
            return Statement(client: client, entries: entries, toppedUp: sum(.topup), reserved: sum(.reserve),
                             charged: sum(.charge), released: sum(.release),
                             usedToday: try Ledger.usage(db, clientID: id, since: QuotaPeriod.day.start(of: date)),
                             usedThisMonth: try Ledger.usage(db, clientID: id, since: QuotaPeriod.month.start(of: date)),
                             keys: try Self.keys(db, id))
        }
    }

    // MARK: helpers

    private func update(_ id: String, _ change: (Database) throws -> Void) throws {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM client WHERE id = ?", arguments: [id]) != nil else {
                throw Failure.unknownClient(id)
            }
            try change(db)
        }
    }

    static func apiList(_ apis: Set<PlatformAPI>) -> String {
        apis.map(\.rawValue).sorted().joined(separator: ",")
    }

    static func client(_ db: Database, _ id: String) throws -> ClientAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM client WHERE id = ?", arguments: [id]).map(client)
    }

    static func client(_ row: Row) -> ClientAccount {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let apis = (row["apis"] as String).split(separator: ",").compactMap { PlatformAPI(rawValue: String($0)) }
        return ClientAccount(
            id: row["id"], name: row["name"], createdAt: date("created_at")!, expiresAt: date("expires_at"),
            disabledAt: date("disabled_at"), apis: Set(apis), maxLevel: row["max_level"], balance: row["balance"],
            held: row["held"], dailyQuota: row["daily_quota"], monthlyQuota: row["monthly_quota"],
            packageAllowance: (row["package_patents"] as Int?).flatMap { patents in
                (row["package_period"] as String?).flatMap(PackageAllowance.Period.init).map { PackageAllowance(patents: patents, period: $0) }
            },
            ratePerSecond: row["rate_per_second"], ratePerMinute: row["rate_per_minute"])
    }
}
