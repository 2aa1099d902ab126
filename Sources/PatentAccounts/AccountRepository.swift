import Foundation

/// A change to one client, applied in one transaction (``AccountRepository/update(_:_:)``).
public enum ClientChange: Sendable {
    /// Disabled at the date; its tokens are deleted.
    case disable(Date)
    case enable
    /// A new secret (its hash); every token issued with the old one is deleted.
    case secretHash(String)
    case expiry(Date?)
    /// Money added, recorded in the ledger with the note.
    case topUp(amount: Int, note: String?, at: Date)
    case quota(daily: Int?, monthly: Int?)
    case rate(perSecond: Int?, perMinute: Int?)
    /// `apis` as stored: the API ids sorted and joined by commas.
    case package(apis: String, maxLevel: Int, allowance: PackageAllowance?)
}

/// A client as created: what `AccountStore` checked and derived, ready to store.
public struct NewClientRecord: Sendable {
    public let id: String
    public let name: String
    public let secretHash: String
    public let createdAt: Date
    public let expiresAt: Date?
    public let apis: String
    public let maxLevel: Int
    public let dailyQuota: Int?
    public let monthlyQuota: Int?
    public let ratePerSecond: Int?
    public let ratePerMinute: Int?
    public let openingBalance: Int
}

/// Where clients, their keys and tokens, level prices, field levels and the ledger are
/// kept: `tasks.sqlite` on one machine (``SQLiteAccountRepository``), PostgreSQL when
/// several nodes share them. ``AccountStore`` holds the rules (what a valid change is, how
/// secrets are hashed, who a credential names); a repository only stores and reads, each
/// method one transaction. A method naming a client that does not exist throws
/// `AccountStore.Failure.unknownClient`. The methods block, like ``TaskRepository``'s.
public protocol AccountRepository: Sendable {
    func insertClient(_ client: NewClientRecord) throws
    func clients() throws -> [ClientAccount]
    func client(_ id: String) throws -> ClientAccount?
    /// The client with its stored secret hash (for checking a secret).
    func clientWithSecretHash(_ id: String) throws -> (client: ClientAccount, secretHash: String)?
    func clientCount() throws -> Int
    func update(_ id: String, _ change: ClientChange) throws

    func insertKey(hash: String, clientID: String, prefix: String, at date: Date) throws
    func keys(of id: String) throws -> [AccountStore.KeyInfo]
    /// Revokes the client's unrevoked keys whose prefix starts with `prefix` (compared
    /// literally); returns how many.
    func revokeKeys(of id: String, prefix: String, at date: Date) throws -> Int
    /// The client an unrevoked key (by its hash) belongs to.
    func keyOwner(hash: String) throws -> String?

    /// Stores a token (by its hash) and deletes those that ended before `purgeBefore`.
    func insertToken(hash: String, clientID: String, issuedAt: Date, expiresAt: Date, purgeBefore: Date) throws
    /// The client of a token (by its hash) still valid at `date`.
    func tokenOwner(hash: String, at date: Date) throws -> String?

    /// Cents per exported patent for each field level.
    func prices() throws -> [Int: Int]
    func setPrice(level: Int, cents: Int) throws
    /// The operator's field levels by export field code.
    func fieldLevelOverrides() throws -> [String: Int]
    /// Sets a field's level; removes the operator's level with nil.
    func setFieldLevel(_ code: String, level: Int?) throws

    /// A client's ledger and usage, read in one transaction.
    func statement(_ id: String, at date: Date) throws -> AccountStore.Statement
}

extension AccountStore.Statement {
    /// The statement of a client from its ledger lines and usage.
    public init(client: ClientAccount, entries: [LedgerEntry], usedToday: Int, usedThisMonth: Int, keys: [AccountStore.KeyInfo]) {
        func sum(_ kind: LedgerEntry.Kind) -> Int { entries.filter { $0.kind == kind }.reduce(0) { $0 + $1.amount } }
        self.init(client: client, entries: entries, toppedUp: sum(.topup), reserved: sum(.reserve), charged: sum(.charge),
                  released: sum(.release), usedToday: usedToday, usedThisMonth: usedThisMonth, keys: keys)
    }

    /// Where the day and month of the statement's usage begin (UTC).
    public static func usagePeriods(at date: Date) -> (day: Date, month: Date) {
        (QuotaPeriod.day.start(of: date), QuotaPeriod.month.start(of: date))
    }
}
