import ArgumentParser
import Foundation
import PatentAccounts
import PatentTasks

/// `patents clients …`: the operator's desk for API clients. Every subcommand works on
/// the data folder's `tasks.sqlite`, also while the server runs; `--json` prints for
/// scripts.
struct ClientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients",
        abstract: "Manage API clients: credentials, keys, package, balance, quotas, rate limits.",
        subcommands: [Create.self, List.self, Show.self, Disable.self, Enable.self, Expire.self, TopUp.self, SetQuota.self,
                      SetRate.self, SetPackage.self, Keys.self, RotateSecret.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a client; its secret is printed once.")
        @OptionGroup var options: ServiceOptions
        @Option(help: "A name for people.") var name: String
        @Option(help: "Opening balance, e.g. 100.00.") var balance = "0"
        @Option(help: "APIs of the package: P001 (count), P002 (preview), P055 (export).") var apis = "P001,P002,P055"
        @Option(help: "Highest export field level of the package (1–3).") var maxLevel = 3
        @Option(help: "Expiry date yyyy-MM-dd (UTC); none: never.") var expires: String?
        @Option(help: "Patents per day.") var dailyQuota: Int?
        @Option(help: "Patents per month.") var monthlyQuota: Int?
        @Option(help: "Calls per second (default: the server's).") var ratePerSecond: Int?
        @Option(help: "Calls per minute (default: the server's).") var ratePerMinute: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            var new = AccountStore.NewClient(name: name)
            new.balance = try amount(balance)
            new.apis = try apiSet(apis)
            new.maxLevel = maxLevel
            new.expiresAt = try expires.flatMap(day)
            new.dailyQuota = dailyQuota
            new.monthlyQuota = monthlyQuota
            new.ratePerSecond = ratePerSecond
            new.ratePerMinute = ratePerMinute
            let (client, secret) = try operate { try options.openAccounts().createClient(new) }
            if json {
                printJSON(["client_id": client.id, "client_secret": secret])
            } else {
                print("client_id:     \(client.id)\nclient_secret: \(secret)\n(the secret is shown only now)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clients.")
        @OptionGroup var options: ServiceOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let clients = try options.openAccounts().clients()
            if json { return printJSON(clients) }
            for client in clients {
                var state = stateName(client)
                if let expires = client.expiresAt, state == "active" { state += " until \(dayString(expires))" }
                print("\(client.id)  \(client.name)  \(state)  balance \(Cents.format(client.balance))  held \(Cents.format(client.held))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A client's package, limits, keys and ledger.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let statement = try operate { try options.openAccounts().statement(id) }
            if json { return printJSON(statement) }
            let client = statement.client
            print("client \(client.id) (\(client.name)), created \(dayString(client.createdAt))")
            print("state: \(stateName(client))"
                  + (client.expiresAt.map { ", expires \(dayString($0))" } ?? ""))
            print("package: \(client.apis.map(\.rawValue).sorted().joined(separator: ", ")); field levels up to \(client.maxLevel)"
                  + (client.packageAllowance.map { "; \($0.patents) patents " + ($0.period == .total ? "in all" : "a \($0.period.rawValue)") } ?? ""))
            print("quota: \(statement.usedToday) of \(client.dailyQuota.map(String.init) ?? "unlimited") patents today, "
                  + "\(statement.usedThisMonth) of \(client.monthlyQuota.map(String.init) ?? "unlimited") this month")
            print("rate: \(client.ratePerSecond.map(String.init) ?? "default") per second, "
                  + "\(client.ratePerMinute.map(String.init) ?? "default") per minute")
            for key in statement.keys {
                print("key \(key.prefix)…  created \(dayString(key.createdAt))" + (key.revokedAt.map { ", revoked \(dayString($0))" } ?? ""))
            }
            print("ledger:")
            for entry in statement.entries {
                let sign = entry.kind == .topup || entry.kind == .release ? "+" : entry.kind == .reserve ? "-" : " "
                let detail = [entry.taskID.map { "task \($0)" }, entry.patents > 0 ? "\(entry.patents) patents" : nil, entry.note]
                    .compactMap { $0 }.joined(separator: ", ")
                print("  \(timeString(entry.at))  \(entry.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                      + "\(sign)\(Cents.format(entry.amount))  \(detail)")
            }
            print("""
                topped up \(Cents.format(statement.toppedUp)) − reserved \(Cents.format(statement.reserved)) + released \
                \(Cents.format(statement.released)) = balance \(Cents.format(client.balance))
                reserved \(Cents.format(statement.reserved)) − charged \(Cents.format(statement.charged)) − released \
                \(Cents.format(statement.released)) = held \(Cents.format(client.held)) (spent \(Cents.format(statement.charged)))
                """)
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a client and revoke its tokens.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String

        func run() throws { try operate { try options.openAccounts().disable(id) } }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a client a new secret (printed once); the old one and its tokens stop working.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let secret = try operate { try options.openAccounts().rotateSecret(id) }
            if json {
                printJSON(["client_id": id, "client_secret": secret])
            } else {
                print("client_id:     \(id)\nclient_secret: \(secret)\n(the secret is shown only now; tokens of the old one are revoked)")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled client.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String

        func run() throws { try operate { try options.openAccounts().enable(id) } }
    }

    struct Expire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set when a client expires (67200006 after).")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Option(help: "yyyy-MM-dd (UTC), now, or never.") var at = "now"

        func run() throws {
            let date: Date? = switch at {
            case "now": Date()
            case "never": nil
            default: try day(at)
            }
            try operate { try options.openAccounts().setExpiry(id, date) }
        }
    }

    struct TopUp: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "topup", abstract: "Add money to a client's balance.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Argument(help: "Amount, e.g. 25.00.") var amount: String
        @Option(help: "A note for the ledger.") var note: String?

        func run() throws {
            let cents = try PatentsCLI.amount(amount)
            try operate { try options.openAccounts().topUp(id, amount: cents, note: note) }
        }
    }

    struct SetQuota: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-quota", abstract: "Patents per day and month.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Option(help: "Patents per day, or none.") var daily = "none"
        @Option(help: "Patents per month, or none.") var monthly = "none"

        func run() throws {
            try operate {
                try options.openAccounts().setQuota(id, daily: try limit(daily, "--daily"),
                                                                   monthly: try limit(monthly, "--monthly"))
            }
        }
    }

    struct SetRate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-rate", abstract: "Calls per second and minute.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Option(help: "Calls per second, or default.") var perSecond = "default"
        @Option(help: "Calls per minute, or default.") var perMinute = "default"

        func run() throws {
            try operate {
                try options.openAccounts().setRate(id, perSecond: try limit(perSecond, "--per-second", none: "default"),
                                                                  perMinute: try limit(perMinute, "--per-minute", none: "default"))
            }
        }
    }

    struct SetPackage: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-package",
                                                        abstract: "APIs, highest field level and the package's own allowance of patents.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Client id.") var id: String
        @Option(help: "APIs: P001, P002, P055.") var apis = "P001,P002,P055"
        @Option(help: "Highest export field level (1–3).") var maxLevel = 3
        @Option(help: "Patents the package allows per --period (beyond: 67200004), or none.") var patents = "none"
        @Option(help: "The allowance's period: month, year or total.") var period = "month"

        func run() throws {
            var allowance: PackageAllowance?
            if patents != "none" {
                guard let count = Int(patents), count >= 0 else { throw ValidationError("--patents must be a number of patents or none, not '\(patents)'") }
                guard let every = PackageAllowance.Period(rawValue: period) else {
                    throw ValidationError("--period must be month, year or total, not '\(period)'")
                }
                allowance = PackageAllowance(patents: count, period: every)
            }
            try operate {
                try options.openAccounts().setPackage(id, apis: try apiSet(apis), maxLevel: maxLevel, allowance: allowance)
            }
        }
    }

    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A client's sk- API keys: list, create, revoke.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "list, create or revoke.") var action: String
        @Argument(help: "Client id.") var id: String
        @Argument(help: "revoke: the key's prefix (sk-…).") var prefix: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let accounts = try options.openAccounts()
            switch action {
            case "create":
                let key = try operate { try accounts.createKey(for: id) }
                if json { printJSON(["api_key": key]) } else { print("\(key)\n(the key is shown only now)") }
            case "list":
                let keys = try accounts.keys(of: id)
                if json { return printJSON(keys) }
                for key in keys { print("\(key.prefix)…  \(key.revokedAt == nil ? "active" : "revoked")") }
            case "revoke":
                guard let prefix, prefix.count >= 5 else { throw ValidationError("revoke needs the key's prefix, e.g. sk-AbCdEf") }
                let count = try operate { try accounts.revokeKeys(of: id, prefix: prefix) }
                print("\(count) key(s) revoked")
            default:
                throw ValidationError("the action must be list, create or revoke, not '\(action)'")
            }
        }
    }
}

/// Runs an account change; the store's refusals (unknown client, bad value) print as
/// `error: …` and exit with status 2, nothing changed.
func operate<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let failure as AccountStore.Failure {
        throw refused("error: \(failure.description)")
    }
}

/// disabled, expired or active.
func stateName(_ client: ClientAccount) -> String {
    client.disabledAt != nil ? "disabled" : client.isExpired(at: Date()) ? "expired" : "active"
}

func amount(_ text: String) throws -> Int {
    guard let cents = Cents.parse(text) else { throw ValidationError("'\(text)' is not an amount like 12.34") }
    return cents
}

func apiSet(_ list: String) throws -> Set<PlatformAPI> {
    Set(try list.split(separator: ",").map { item in
        let code = item.trimmingCharacters(in: .whitespaces).uppercased()
        guard let api = PlatformAPI(rawValue: code) else { throw ValidationError("unknown API '\(code)' (P001, P002, P055)") }
        return api
    })
}

func limit(_ text: String, _ option: String, none: String = "none") throws -> Int? {
    if text == none { return nil }
    guard let value = Int(text), value >= 0 else { throw ValidationError("\(option) must be a whole number or \(none), not '\(text)'") }
    return value
}

private let utcDay: DateFormatter = {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter
}()

func day(_ text: String) throws -> Date {
    guard let date = utcDay.date(from: text) else { throw ValidationError("'\(text)' is not a date like 2027-12-31") }
    return date
}

func dayString(_ date: Date) -> String { utcDay.string(from: date) }

func timeString(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self))
}
