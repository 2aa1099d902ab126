import ArgumentParser
import Foundation
import PatentAccounts
import PatentQuery
import PatentTasks

/// `patents fields`: the export fields with their fee levels and export types, and the
/// unit price of each level; `patents fields price LEVEL AMOUNT` sets a price and
/// `patents fields level CODE N` a field's level.
struct FieldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fields",
        abstract: "Export fields, their fee levels, and the price per patent of each level.",
        subcommands: [List.self, Price.self, Level.self], defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List export fields and level prices.")
        @OptionGroup var options: ServiceOptions
        @Flag(help: "Print JSON.") var json = false

        struct Field: Encodable {
            let code: String
            let title: String
            let level: Int
            let export_types: [String]
            let unit_price: String
        }

        struct LevelPrice: Encodable {
            let level: Int
            let unit_price: String
        }

        struct Listing: Encodable {
            let fields: [Field]
            let level_prices: [LevelPrice]
        }

        func run() throws {
            let accounts = try options.openAccounts()
            let prices = try accounts.prices()
            let levels = try accounts.fieldLevels()
            let fields = FieldCatalogue.exportFields.map { field in
                Field(code: field.code, title: field.title, level: levels.level(of: field),
                      export_types: ExportType.allCases.filter { field.exportTypes.contains($0) }.map(\.rawValue),
                      unit_price: Cents.format(prices[levels.level(of: field)] ?? 0))
            }
            if json {
                let levels = prices.sorted { $0.key < $1.key }.map { LevelPrice(level: $0.key, unit_price: Cents.format($0.value)) }
                return printJSON(Listing(fields: fields, level_prices: levels))
            }
            for level in prices.keys.sorted() {
                print("level \(level): \(Cents.format(prices[level]!)) per patent")
            }
            print("a task costs count × the price of its highest level (pdf exports are level 3)")
            for field in fields {
                print("  \(field.code.padding(toLength: 14, withPad: " ", startingAt: 0)) level \(field.level)  "
                      + "\(field.title) — \(field.export_types.joined(separator: ", "))")
            }
        }
    }

    struct Price: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the price per patent of a field level.")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Field level 1, 2 or 3.") var level: Int
        @Argument(help: "Price per exported patent, e.g. 0.05.") var amount: String

        func run() throws {
            let cents = try PatentsCLI.amount(amount)
            try operate { try options.openAccounts().setPrice(level: level, cents: cents) }
            print("level \(level): \(Cents.format(cents)) per patent")
        }
    }

    struct Level: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an export field's fee level (or default: the catalogue's).")
        @OptionGroup var options: ServiceOptions
        @Argument(help: "Export field code, e.g. ABST.") var code: String
        @Argument(help: "Field level 1, 2 or 3, or default.") var level: String

        func run() throws {
            let value: Int?
            if level == "default" {
                value = nil
            } else if let number = Int(level) {
                value = number
            } else {
                throw ValidationError("the level must be 1, 2, 3 or default, not '\(level)'")
            }
            let accounts = try options.openAccounts()
            try operate { try accounts.setFieldLevel(code, level: value) }
            if let field = FieldCatalogue.exportField(code) {
                print("\(field.code): level \(try accounts.fieldLevels().level(of: field))")
            }
        }
    }
}
