import Foundation

/// The operations a client's package can include, by PatSnap's API ids.
public enum PlatformAPI: String, Sendable, Codable, CaseIterable {
    /// Count by query (`query-search-count`).
    case count = "P001"
    /// Preview a page of results (`query-search-patent`).
    case preview = "P002"
    /// Create export tasks by query, poll them and download their files.
    case export = "P055"
}

/// An API client of the platform as the operator configured it (`patents clients …`).
/// Money is held in cents; quotas count exported patents.
public struct ClientAccount: Sendable, Equatable, Codable {
    /// Public id, the `apikey` of business calls and the user name of `/oauth/token`.
    public let id: String
    public var name: String
    public let createdAt: Date
    /// After this the client is refused with 67200006; nil: never.
    public var expiresAt: Date?
    /// A disabled client authenticates as nobody (67200003); its tokens are revoked.
    public var disabledAt: Date?
    /// The package: the operations it may call …
    public var apis: Set<PlatformAPI>
    /// … and the highest export field level it may buy (1–3).
    public var maxLevel: Int
    /// Cents available for new tasks.
    public var balance: Int
    /// Cents reserved by tasks whose files are being written.
    public var held: Int
    /// Patents per UTC day / calendar month (UTC); nil: unlimited.
    public var dailyQuota: Int?
    public var monthlyQuota: Int?
    /// The package's own allowance of exported patents (API.md "Changes", package quota):
    /// beyond it, 67200004; nil: none.
    public var packageAllowance: PackageAllowance?
    /// Requests per second / minute; nil: the server's defaults.
    public var ratePerSecond: Int?
    public var ratePerMinute: Int?

    public init(id: String, name: String, createdAt: Date, expiresAt: Date?, disabledAt: Date?, apis: Set<PlatformAPI>,
                maxLevel: Int, balance: Int, held: Int, dailyQuota: Int?, monthlyQuota: Int?, packageAllowance: PackageAllowance?,
                ratePerSecond: Int?, ratePerMinute: Int?) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.disabledAt = disabledAt
        self.apis = apis
        self.maxLevel = maxLevel
        self.balance = balance
        self.held = held
        self.dailyQuota = dailyQuota
        self.monthlyQuota = monthlyQuota
        self.packageAllowance = packageAllowance
        self.ratePerSecond = ratePerSecond
        self.ratePerMinute = ratePerMinute
    }

    public func isExpired(at date: Date) -> Bool { expiresAt.map { $0 <= date } ?? false }

    /// The APIs of a stored package (ids joined by commas; unknown ids are dropped).
    public static func apis(stored: String) -> Set<PlatformAPI> {
        Set(stored.split(separator: ",").compactMap { PlatformAPI(rawValue: String($0)) })
    }

    /// The stored form of a package's APIs: their ids sorted and joined by commas.
    public static func storedAPIs(_ apis: Set<PlatformAPI>) -> String {
        apis.map(\.rawValue).sorted().joined(separator: ",")
    }
}

/// Patents a package allows per period: a calendar month or year (UTC), or in all.
public struct PackageAllowance: Sendable, Equatable, Codable {
    public enum Period: String, Sendable, Codable, CaseIterable {
        case month, year, total
    }

    public var patents: Int
    public var period: Period

    public init(patents: Int, period: Period) {
        self.patents = patents
        self.period = period
    }

    /// A stored allowance: nil unless both columns are set and the period is known.
    public init?(stored patents: Int?, period: String?) {
        guard let patents, let period = period.flatMap(Period.init) else { return nil }
        self.init(patents: patents, period: period)
    }
}

/// Amounts of money in cents, written as `12.34`.
public enum Cents {
    public static func format(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = String(magnitude % 100)
        return sign + String(magnitude / 100) + "." + (fraction.count == 1 ? "0" + fraction : fraction)
    }

    /// `12`, `12.3`, `12.34` → cents; nil for anything else (more decimals, signs, letters).
    public static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
              let units = Int(parts[0]), units >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
        var cents = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            cents = Int(fraction)! * (fraction.count == 1 ? 10 : 1)
        }
        let (total, overflow) = units.multipliedReportingOverflow(by: 100)
        return overflow ? nil : total + cents
    }
}
