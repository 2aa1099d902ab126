import Foundation
import GRDB

/// One line of a client's ledger.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Money added by the operator: balance +amount.
        case topup
        /// A task's fee set aside when it was created: balance −amount, held +amount.
        case reserve
        /// The fee of a task whose file was written: held −amount.
        case charge
        /// The fee of a failed task given back: held −amount, balance +amount.
        case release
    }

    public let id: Int
    public let at: Date
    public let kind: Kind
    /// Cents, always ≥ 0; `kind` says which way it moves.
    public let amount: Int
    public let patents: Int
    public let taskID: String?
    public let note: String?

    public init(id: Int, at: Date, kind: Kind, amount: Int, patents: Int, taskID: String?, note: String?) {
        self.id = id
        self.at = at
        self.kind = kind
        self.amount = amount
        self.patents = patents
        self.taskID = taskID
        self.note = note
    }
}

/// The money and quota rules of API.md "Billing, quotas and limits", as statements that
/// run inside the caller's write transaction: a task's reservation commits with the task,
/// its charge or release with its final status. SQLite runs one writer at a time, so the
/// balance and quota checks and the spending they allow cannot interleave: no set of
/// concurrent requests spends more than the balance or the quota.
///
/// Every movement is a ledger line, so at all times
/// `balance = topups − reserves + releases` and `held = reserves − charges − releases`.
public enum Ledger {
    /// Sets a task's fee aside: count × the unit price of `level`. Refuses an unknown,
    /// disabled or expired client, a quota the task would exceed (67200002) and a short
    /// balance (67200005).
    public static func reserve(_ db: Database, clientID: String, taskID: String, patents: Int, level: Int, at date: Date) throws {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT balance, expires_at, disabled_at, daily_quota, monthly_quota, package_patents, package_period FROM client WHERE id = ?
            """, arguments: [clientID]) else {
            throw ServiceError.authentication()
        }
        let client = ReservationRule.Client(
            balance: row["balance"], expiresAt: row["expires_at"], disabledAt: row["disabled_at"], dailyQuota: row["daily_quota"],
            monthlyQuota: row["monthly_quota"], packagePatents: row["package_patents"], packagePeriod: row["package_period"])
        var used: [Date: Int] = [:]
        for start in ReservationRule.usagePeriods(client, at: date) { used[start] = try usage(db, clientID: clientID, since: start) }
        let amount = try ReservationRule.amount(client, patents: patents, level: level, unitPrice: try unitPrice(db, level: level),
                                                at: date) { used[$0] ?? 0 }
        try db.execute(sql: "UPDATE client SET balance = balance - ?, held = held + ? WHERE id = ?",
                       arguments: [amount, amount, clientID])
        try append(db, clientID: clientID, kind: .reserve, amount: amount, patents: patents, taskID: taskID, at: date)
    }

    /// Charges a task's reservation (its file is written). No reservation (a task of the
    /// operator's CLI) or one already settled: nothing happens.
    public static func charge(_ db: Database, taskID: String, at date: Date) throws {
        try settle(db, taskID: taskID, as: .charge, balanceChange: 0, at: date)
    }

    /// Gives a failed task's reservation back.
    public static func release(_ db: Database, taskID: String, at date: Date) throws {
        try settle(db, taskID: taskID, as: .release, balanceChange: 1, at: date)
    }

    static func topUp(_ db: Database, clientID: String, amount: Int, note: String?, at date: Date) throws {
        try db.execute(sql: "UPDATE client SET balance = balance + ? WHERE id = ?", arguments: [amount, clientID])
        try append(db, clientID: clientID, kind: .topup, amount: amount, patents: 0, taskID: nil, note: note, at: date)
    }

    /// Patents reserved since `start` by tasks that have not failed.
    static func usage(_ db: Database, clientID: String, since start: Date) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COALESCE(SUM(patents), 0) FROM ledger r WHERE r.client_id = ? AND r.kind = 'reserve' AND r.at >= ?
              AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.task_id = r.task_id AND s.kind = 'release')
            """, arguments: [clientID, start.timeIntervalSince1970]) ?? 0
    }

    static func unitPrice(_ db: Database, level: Int) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT unit_price FROM level_price WHERE level = ?", arguments: [level]) ?? 0
    }

    static func entries(_ db: Database, clientID: String) throws -> [LedgerEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM ledger WHERE client_id = ? ORDER BY id", arguments: [clientID]).map { row in
            LedgerEntry(id: row["id"], at: Date(timeIntervalSince1970: row["at"]), kind: LedgerEntry.Kind(rawValue: row["kind"])!,
                        amount: row["amount"], patents: row["patents"], taskID: row["task_id"], note: row["note"])
        }
    }

    private static func settle(_ db: Database, taskID: String, as kind: LedgerEntry.Kind, balanceChange: Int, at date: Date) throws {
        guard let reservation = try Row.fetchOne(db, sql: """
            SELECT client_id, amount, patents FROM ledger r WHERE task_id = ? AND kind = 'reserve'
              AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.task_id = r.task_id AND s.kind IN ('charge', 'release'))
            """, arguments: [taskID]) else { return }
        let clientID: String = reservation["client_id"]
        let amount: Int = reservation["amount"]
        try db.execute(sql: "UPDATE client SET held = held - ?, balance = balance + ? WHERE id = ?",
                       arguments: [amount, amount * balanceChange, clientID])
        try append(db, clientID: clientID, kind: kind, amount: amount, patents: reservation["patents"], taskID: taskID, at: date)
    }

    private static func append(_ db: Database, clientID: String, kind: LedgerEntry.Kind, amount: Int, patents: Int,
                               taskID: String?, note: String? = nil, at date: Date) throws {
        try db.execute(sql: """
            INSERT INTO ledger (client_id, at, kind, amount, patents, task_id, note) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [clientID, date.timeIntervalSince1970, kind.rawValue, amount, patents, taskID, note])
    }
}

/// The periods quotas count over, in UTC.
extension PackageAllowance.Period {
    /// When the period holding `date` began (UTC); the beginning of time for `total`.
    func start(of date: Date) -> Date {
        switch self {
        case .month: QuotaPeriod.month.start(of: date)
        case .year: QuotaPeriod.year.start(of: date)
        case .total: Date(timeIntervalSince1970: 0)
        }
    }
}

enum QuotaPeriod: String {
    case day, month, year

    func start(of date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let fields: Set<Calendar.Component> = switch self {
        case .day: [.year, .month, .day]
        case .month: [.year, .month]
        case .year: [.year]
        }
        let components = calendar.dateComponents(fields, from: date)
        return calendar.date(from: components)!
    }
}
