import Foundation

/// The checks of a task's fee reservation (API.md "Billing, quotas and limits") apart from
/// the database they run in, so that SQLite (`Ledger`) and the shared PostgreSQL database
/// apply the same rules with the same messages: the caller reads the client's row (locked
/// for the transaction), the patents it reserved since each period start
/// `usagePeriods` names, then `amount` says what to set aside or why not.
public struct ReservationRule: Sendable {
    /// What a reservation reads of the client.
    public struct Client: Sendable {
        public var balance: Int
        public var expiresAt: Double?
        public var disabledAt: Double?
        public var dailyQuota: Int?
        public var monthlyQuota: Int?
        public var packagePatents: Int?
        public var packagePeriod: String?

        public init(balance: Int, expiresAt: Double?, disabledAt: Double?, dailyQuota: Int?, monthlyQuota: Int?,
                    packagePatents: Int?, packagePeriod: String?) {
            self.balance = balance
            self.expiresAt = expiresAt
            self.disabledAt = disabledAt
            self.dailyQuota = dailyQuota
            self.monthlyQuota = monthlyQuota
            self.packagePatents = packagePatents
            self.packagePeriod = packagePeriod
        }
    }

    /// The start of each period whose usage `amount` needs (UTC), for `client` at `date`.
    public static func usagePeriods(_ client: Client, at date: Date) -> [Date] {
        var starts: [Date] = []
        if client.dailyQuota != nil { starts.append(QuotaPeriod.day.start(of: date)) }
        if client.monthlyQuota != nil { starts.append(QuotaPeriod.month.start(of: date)) }
        if client.packagePatents != nil, let period = client.packagePeriod.flatMap(PackageAllowance.Period.init) {
            starts.append(period.start(of: date))
        }
        return starts
    }

    /// The fee to set aside — `patents` × `unitPrice` — or the refusal: a disabled client
    /// (authentication), an expired one, a quota the task would exceed (67200002), a package
    /// allowance (67200001's permission message), a short balance (67200005). `usage` gives
    /// the patents reserved since a start `usagePeriods` named.
    public static func amount(_ client: Client, patents: Int, level: Int, unitPrice: Int, at date: Date,
                              usage: (Date) -> Int) throws(ServiceError) -> Int {
        guard client.disabledAt == nil else { throw ServiceError.authentication() }
        if let expires = client.expiresAt, expires <= date.timeIntervalSince1970 { throw ServiceError.clientExpired() }
        for (quota, period) in [(client.dailyQuota, QuotaPeriod.day), (client.monthlyQuota, .month)] {
            guard let quota else { continue }
            let used = usage(period.start(of: date))
            if used + patents > quota {
                throw ServiceError.quotaExceeded(
                    "quota exceeds the limit: this export of \(patents) patents would bring the \(period.rawValue) usage to "
                    + "\(used + patents) of \(quota) patents")
            }
        }
        if let allowance = client.packagePatents, let period = client.packagePeriod.flatMap(PackageAllowance.Period.init) {
            let used = usage(period.start(of: date))
            if used + patents > allowance {
                throw ServiceError.noPermission(
                    "No permission or API package quota has exceeded the limit: this export of \(patents) patents would bring "
                    + "the package's \(period == .total ? "total" : "\(period.rawValue)ly") usage to \(used + patents) of \(allowance) patents")
            }
        }
        let (amount, overflow) = patents.multipliedReportingOverflow(by: unitPrice)
        guard !overflow, amount <= client.balance else {
            throw ServiceError.insufficientBalance(
                "insufficient balance: this export costs \(Cents.format(amount)) (\(patents) patents at level \(level), "
                + "\(Cents.format(unitPrice)) each) and the balance is \(Cents.format(client.balance))")
        }
        return amount
    }
}
