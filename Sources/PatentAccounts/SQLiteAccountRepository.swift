import Foundation
import GRDB

/// ``AccountRepository`` on `tasks.sqlite` (``ServiceDatabase``), shared with the export
/// tasks so that a task and its reservation, or its status and its charge, commit together.
public final class SQLiteAccountRepository: AccountRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    // MARK: clients

    public func insertClient(_ new: NewClientRecord) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO client (id, name, secret_hash, created_at, expires_at, apis, max_level, daily_quota, monthly_quota,
                    rate_per_second, rate_per_minute) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [new.id, new.name, new.secretHash, new.createdAt.timeIntervalSince1970,
                                 new.expiresAt?.timeIntervalSince1970, new.apis, new.maxLevel, new.dailyQuota, new.monthlyQuota,
                                 new.ratePerSecond, new.ratePerMinute])
            if new.openingBalance > 0 {
                try Ledger.topUp(db, clientID: new.id, amount: new.openingBalance, note: "opening balance", at: new.createdAt)
            }
        }
    }

    public func clients() throws -> [ClientAccount] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM client ORDER BY created_at, id").map(Self.client) }
    }

    public func client(_ id: String) throws -> ClientAccount? {
        try pool.read { db in try Self.client(db, id) }
    }

    public func clientWithSecretHash(_ id: String) throws -> (client: ClientAccount, secretHash: String)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM client WHERE id = ?", arguments: [id]).map { (Self.client($0), $0["secret_hash"]) }
        }
    }

    public func clientCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM client") ?? 0 }
    }

    public func update(_ id: String, _ change: ClientChange) throws {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM client WHERE id = ?", arguments: [id]) != nil else {
                throw AccountStore.Failure.unknownClient(id)
            }
            switch change {
            case .disable(let date):
                try db.execute(sql: "UPDATE client SET disabled_at = ? WHERE id = ?", arguments: [date.timeIntervalSince1970, id])
                try db.execute(sql: "DELETE FROM access_token WHERE client_id = ?", arguments: [id])
            case .enable:
                try db.execute(sql: "UPDATE client SET disabled_at = NULL WHERE id = ?", arguments: [id])
            case .secretHash(let hash):
                try db.execute(sql: "UPDATE client SET secret_hash = ? WHERE id = ?", arguments: [hash, id])
                try db.execute(sql: "DELETE FROM access_token WHERE client_id = ?", arguments: [id])
            case .expiry(let date):
                try db.execute(sql: "UPDATE client SET expires_at = ? WHERE id = ?", arguments: [date?.timeIntervalSince1970, id])
            case .topUp(let amount, let note, let date):
                try Ledger.topUp(db, clientID: id, amount: amount, note: note, at: date)
            case .quota(let daily, let monthly):
                try db.execute(sql: "UPDATE client SET daily_quota = ?, monthly_quota = ? WHERE id = ?", arguments: [daily, monthly, id])
            case .rate(let perSecond, let perMinute):
                try db.execute(sql: "UPDATE client SET rate_per_second = ?, rate_per_minute = ? WHERE id = ?",
                               arguments: [perSecond, perMinute, id])
            case .package(let apis, let maxLevel, let allowance):
                try db.execute(sql: "UPDATE client SET apis = ?, max_level = ?, package_patents = ?, package_period = ? WHERE id = ?",
                               arguments: [apis, maxLevel, allowance?.patents, allowance?.period.rawValue, id])
            }
        }
    }

    // MARK: keys and tokens

    public func insertKey(hash: String, clientID: String, prefix: String, at date: Date) throws {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM client WHERE id = ?", arguments: [clientID]) != nil else {
                throw AccountStore.Failure.unknownClient(clientID)
            }
            try db.execute(sql: "INSERT INTO api_key (hash, client_id, prefix, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [hash, clientID, prefix, date.timeIntervalSince1970])
        }
    }

    public func keys(of id: String) throws -> [AccountStore.KeyInfo] {
        try pool.read { db in try Self.keys(db, id) }
    }

    public func revokeKeys(of id: String, prefix: String, at date: Date) throws -> Int {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE api_key SET revoked_at = ? WHERE client_id = ? AND revoked_at IS NULL AND substr(prefix, 1, length(?)) = ?
                """, arguments: [date.timeIntervalSince1970, id, prefix, prefix])
            return db.changesCount
        }
    }

    public func keyOwner(hash: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT client_id FROM api_key WHERE hash = ? AND revoked_at IS NULL", arguments: [hash])
        }
    }

    public func insertToken(hash: String, clientID: String, issuedAt: Date, expiresAt: Date, purgeBefore: Date) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM access_token WHERE expires_at < ?", arguments: [purgeBefore.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO access_token (hash, client_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [hash, clientID, issuedAt.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }

    public func tokenOwner(hash: String, at date: Date) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT client_id FROM access_token WHERE hash = ? AND expires_at > ?",
                                arguments: [hash, date.timeIntervalSince1970])
        }
    }

    // MARK: prices and levels

    public func prices() throws -> [Int: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT level, unit_price FROM level_price").map {
                ($0["level"] as Int, $0["unit_price"] as Int)
            })
        }
    }

    public func setPrice(level: Int, cents: Int) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO level_price (level, unit_price) VALUES (?, ?)", arguments: [level, cents])
        }
    }

    public func fieldLevelOverrides() throws -> [String: Int] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT code, level FROM field_level").map {
                ($0["code"] as String, $0["level"] as Int)
            })
        }
    }

    public func setFieldLevel(_ code: String, level: Int?) throws {
        try pool.write { db in
            if let level {
                try db.execute(sql: "INSERT OR REPLACE INTO field_level (code, level) VALUES (?, ?)", arguments: [code, level])
            } else {
                try db.execute(sql: "DELETE FROM field_level WHERE code = ?", arguments: [code])
            }
        }
    }

    // MARK: statements

    public func statement(_ id: String, at date: Date) throws -> AccountStore.Statement {
        try pool.read { db in
            guard let client = try Self.client(db, id) else { throw AccountStore.Failure.unknownClient(id) }
            let periods = AccountStore.Statement.usagePeriods(at: date)
            return AccountStore.Statement(client: client, entries: try Ledger.entries(db, clientID: id),
                                          usedToday: try Ledger.usage(db, clientID: id, since: periods.day),
                                          usedThisMonth: try Ledger.usage(db, clientID: id, since: periods.month),
                                          keys: try Self.keys(db, id))
        }
    }

    // MARK: rows

    static func keys(_ db: Database, _ id: String) throws -> [AccountStore.KeyInfo] {
        try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE client_id = ? ORDER BY created_at", arguments: [id]).map { row in
            AccountStore.KeyInfo(prefix: row["prefix"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                                 revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
        }
    }

    static func client(_ db: Database, _ id: String) throws -> ClientAccount? {
        try Row.fetchOne(db, sql: "SELECT * FROM client WHERE id = ?", arguments: [id]).map(client)
    }

    static func client(_ row: Row) -> ClientAccount {
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return ClientAccount(
            id: row["id"], name: row["name"], createdAt: date("created_at")!, expiresAt: date("expires_at"),
            disabledAt: date("disabled_at"), apis: ClientAccount.apis(stored: row["apis"]), maxLevel: row["max_level"],
            balance: row["balance"], held: row["held"], dailyQuota: row["daily_quota"], monthlyQuota: row["monthly_quota"],
            packageAllowance: PackageAllowance(stored: row["package_patents"], period: row["package_period"]),
            ratePerSecond: row["rate_per_second"], ratePerMinute: row["rate_per_minute"])
    }
}
