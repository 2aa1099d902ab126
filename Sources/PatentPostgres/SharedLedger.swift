import Foundation
import Logging
import PatentAccounts
import PatentTasks
import PostgresNIO

/// The money rules on the shared database (`ReservationRule`, the same checks and messages
/// as SQLite's ledger). A reservation locks the client's row (`SELECT … FOR UPDATE`) for
/// its transaction, so the balance and quota checks and the spending they allow run one
/// after another for a client, whichever node each request reached: no set of concurrent
/// creates spends more than the balance or passes a quota.
extension SharedDatabase {
    /// Reserves a task's fee in a transaction of its own (see `reserve(_:…)`).
    public func reserve(clientID: String, taskID: String, patents: Int, level: Int, at date: Date = Date()) async throws {
        try await transaction { connection in
            try await Self.reserve(connection, clientID: clientID, taskID: taskID, patents: patents, level: level, at: date,
                                   logger: logger)
        }
    }

    /// Sets a task's fee aside inside the caller's transaction: count × the unit price of
    /// `level`, or a `ServiceError` refusal (nothing written then).
    static func reserve(_ connection: PostgresConnection, clientID: String, taskID: String, patents: Int, level: Int,
                        at date: Date, logger: Logger) async throws {
        let rows = try await connection.query("""
            SELECT balance, expires_at, disabled_at, daily_quota, monthly_quota, package_patents, package_period
            FROM client WHERE id = \(clientID) FOR UPDATE
            """, logger: logger)
        var found: ReservationRule.Client?
        for try await (balance, expires, disabled, daily, monthly, package, period)
            in rows.decode((Int64, Double?, Double?, Int64?, Int64?, Int64?, String?).self) {
            found = ReservationRule.Client(balance: Int(balance), expiresAt: expires, disabledAt: disabled,
                                           dailyQuota: daily.map(Int.init), monthlyQuota: monthly.map(Int.init),
                                           packagePatents: package.map(Int.init), packagePeriod: period)
        }
        guard let found else { throw ServiceError.authentication() }
        var used: [Date: Int] = [:]
        for start in ReservationRule.usagePeriods(found, at: date) {
            used[start] = try await usage(connection, clientID: clientID, since: start, logger: logger)
        }
        var price: Int64 = 0
        for try await unit in try await connection.query("SELECT unit_price FROM level_price WHERE level = \(level)", logger: logger)
            .decode(Int64.self) { price = unit }
        let amount = try ReservationRule.amount(found, patents: patents, level: level, unitPrice: Int(price), at: date) { used[$0] ?? 0 }
        try await connection.query("UPDATE client SET balance = balance - \(amount), held = held + \(amount) WHERE id = \(clientID)",
                                   logger: logger)
        try await connection.query("""
            INSERT INTO ledger (client_id, at, kind, amount, patents, task_id)
            VALUES (\(clientID), \(date.timeIntervalSince1970), 'reserve', \(amount), \(patents), \(taskID))
            """, logger: logger)
    }

    /// Patents reserved since `start` by tasks that have not failed.
    static func usage(_ connection: PostgresConnection, clientID: String, since start: Date, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            SELECT COALESCE(SUM(patents), 0)::BIGINT FROM ledger r WHERE r.client_id = \(clientID) AND r.kind = 'reserve'
              AND r.at >= \(start.timeIntervalSince1970)
              AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.task_id = r.task_id AND s.kind = 'release')
            """, logger: logger)
        for try await total in rows.decode(Int64.self) { return Int(total) }
        return 0
    }
}
