/// PatentAccounts: who may call and what it costs — clients, credentials, prices, field
/// levels, the ledger, quotas — and the PatSnap error codes business calls answer with;
/// below the export service, which reserves and charges through it.
import Foundation
import PatentQuery

/// Clients, their API keys and access tokens, level prices and the ledger: the rules (what
/// a valid change is, how credentials are made and hashed, who a credential names) over an
/// ``AccountRepository`` — `tasks.sqlite` on one machine, PostgreSQL on many. The operator's
/// CLI and the servers share it; every change is one transaction and takes effect on the
/// next request.
public final class AccountStore: Sendable {
    /// Access tokens live 1799 s, as PatSnap's do.
    public static let tokenLifetime = 1799

    public let repository: any AccountRepository
    let hashing: Credentials.Hashing
    /// Verified against for unknown client ids, with the rounds new secrets get.
    let decoy: String

    public convenience init(directory: String, hashing: Credentials.Hashing = .production) throws {
        self.init(repository: SQLiteAccountRepository(pool: try ServiceDatabase.open(directory: directory)), hashing: hashing)
    }

    public init(repository: any AccountRepository, hashing: Credentials.Hashing = .production) {
        self.repository = repository
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
        try repository.insertClient(NewClientRecord(
            id: id, name: new.name, secretHash: hash, createdAt: date, expiresAt: new.expiresAt,
            apis: ClientAccount.storedAPIs(new.apis), maxLevel: new.maxLevel, dailyQuota: new.dailyQuota,
            monthlyQuota: new.monthlyQuota, ratePerSecond: new.ratePerSecond, ratePerMinute: new.ratePerMinute,
            openingBalance: new.balance))
        return (try client(id)!, secret)
    }

    public func clients() throws -> [ClientAccount] {
        try repository.clients()
    }

    public func client(_ id: String) throws -> ClientAccount? {
        try repository.client(id)
    }

    public var isEmpty: Bool {
        get throws { try repository.clientCount() == 0 }
    }

    /// Disables a client and revokes its tokens; its keys stop working while it is disabled.
    public func disable(_ id: String, at date: Date = Date()) throws {
        try repository.update(id, .disable(date))
    }

    /// A new secret for the client, returned once and stored as its PBKDF2 hash; the old
    /// secret stops working and every token issued with it is revoked.
    public func rotateSecret(_ id: String) throws -> String {
        let secret = Credentials.newSecret()
        let hash = Credentials.hashSecret(secret, rounds: hashing.rounds)
        try repository.update(id, .secretHash(hash))
        return secret
    }

    public func enable(_ id: String) throws {
        try repository.update(id, .enable)
    }

    /// Sets (or with nil clears) the date after which the client is refused with 67200006.
    public func setExpiry(_ id: String, _ date: Date?) throws {
        try repository.update(id, .expiry(date))
    }

    /// Adds money; the ledger records it with `note`.
    public func topUp(_ id: String, amount: Int, note: String? = nil, at date: Date = Date()) throws {
        guard amount > 0 else { throw Failure.invalid("a top-up must be a positive amount") }
        try repository.update(id, .topUp(amount: amount, note: note, at: date))
    }

    /// Patents per day and month; nil: unlimited.
    public func setQuota(_ id: String, daily: Int?, monthly: Int?) throws {
        guard (daily ?? 0) >= 0, (monthly ?? 0) >= 0 else { throw Failure.invalid("a quota cannot be negative") }
        try repository.update(id, .quota(daily: daily, monthly: monthly))
    }

    /// Requests per second and minute; nil: the server's defaults.
    public func setRate(_ id: String, perSecond: Int?, perMinute: Int?) throws {
        guard (perSecond ?? 1) >= 1, (perMinute ?? 1) >= 1 else { throw Failure.invalid("a rate must be at least 1") }
        try repository.update(id, .rate(perSecond: perSecond, perMinute: perMinute))
    }

    /// The package: its APIs, highest field level and own allowance of patents (nil: none).
    public func setPackage(_ id: String, apis: Set<PlatformAPI>, maxLevel: Int, allowance: PackageAllowance? = nil) throws {
        guard (1...3).contains(maxLevel) else { throw Failure.invalid("the field level must be 1, 2 or 3, not \(maxLevel)") }
        if let allowance, allowance.patents < 0 {
            throw Failure.invalid("the package allowance must be 0 or more patents, not \(allowance.patents)")
        }
        try repository.update(id, .package(apis: ClientAccount.storedAPIs(apis), maxLevel: maxLevel, allowance: allowance))
    }

    // MARK: API keys

    public struct KeyInfo: Sendable, Equatable, Codable {
        /// `sk-` and the key's first 8 characters: enough to name it, useless to call with.
        public let prefix: String
        public let createdAt: Date
        public let revokedAt: Date?

        public init(prefix: String, createdAt: Date, revokedAt: Date?) {
            self.prefix = prefix
            self.createdAt = createdAt
            self.revokedAt = revokedAt
        }
    }

    /// A new `sk-` key for the client, returned once; stored as its SHA-256.
    public func createKey(for id: String, at date: Date = Date()) throws -> String {
        let key = Credentials.newAPIKey()
        try repository.insertKey(hash: Credentials.digest(key), clientID: id, prefix: String(key.prefix(11)), at: date)
        return key
    }

    public func keys(of id: String) throws -> [KeyInfo] {
        try repository.keys(of: id)
    }

    /// Revokes the client's keys whose prefix starts with `prefix`, compared literally
    /// (`%` and `_` are characters, not patterns); returns how many.
    public func revokeKeys(of id: String, prefix: String, at date: Date = Date()) throws -> Int {
        guard !prefix.isEmpty else { throw Failure.invalid("name the key to revoke by its prefix (sk-…)") }
        let count = try repository.revokeKeys(of: id, prefix: prefix, at: date)
        guard count > 0 else { throw Failure.unknownKey(prefix) }
        return count
    }

    // MARK: prices

    /// Cents per exported patent for each field level.
    public func prices() throws -> [Int: Int] {
        try repository.prices()
    }

    /// The fee level of every export field: the operator's choice, else the catalogue's.
    public func fieldLevels() throws -> FieldLevels {
        FieldLevels(overrides: try repository.fieldLevelOverrides())
    }

    /// Sets an export field's fee level (1–3); the catalogue's level again with `nil`.
    public func setFieldLevel(_ code: String, level: Int?) throws {
        guard let field = FieldCatalogue.exportField(code) else {
            throw Failure.invalid("no export field is called '\(code)' (patents fields lists them)")
        }
        if let level, !(1...3).contains(level) { throw Failure.invalid("the field level must be 1, 2 or 3, not \(level)") }
        try repository.setFieldLevel(field.code, level: level)
    }

    public func setPrice(level: Int, cents: Int) throws {
        guard (1...3).contains(level) else { throw Failure.invalid("the field level must be 1, 2 or 3, not \(level)") }
        guard cents >= 0 else { throw Failure.invalid("a price cannot be negative") }
        try repository.setPrice(level: level, cents: cents)
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
        try repository.statement(id, at: date)
    }
}
