import GRDB
import PatentModel

/// Counts that describe a store: `patents stats`.
public struct StoreStatistics: Codable, Sendable, Equatable {
    public var publications = 0
    public var withClaimsOrDescription = 0
    public var byOffice: [String: Int] = [:]
    public var byKind: [String: Int] = [:]
    public var byType: [String: Int] = [:]
    public var byLanguage: [String: Int] = [:]
    /// How many publications hold each part of the record.
    public var coverage: [String: Int] = [:]
    /// Per family level: number of families, and how many families have each size.
    public var families: [String: FamilySizes] = [:]

    public struct FamilySizes: Codable, Sendable, Equatable {
        public var count = 0
        public var largest = 0
        /// family size → number of families of that size
        public var sizes: [Int: Int] = [:]
    }
}

extension PatentStore {
    public func statistics() throws -> StoreStatistics {
        try pool.read { db in
            var stats = StoreStatistics()
            stats.publications = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent") ?? 0
            stats.withClaimsOrDescription = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent WHERE coverage & ? != 0",
                                                             arguments: [Coverage([.claims, .description]).rawValue]) ?? 0
            stats.byOffice = try Self.grouped(db, "office")
            stats.byKind = try Self.grouped(db, "office || ' ' || kind")
            stats.byType = try Self.grouped(db, "type").reduce(into: [:]) { result, pair in
                result[PatentType(rawValue: pair.key).map { "\($0)" } ?? pair.key] = pair.value
            }
            stats.byLanguage = try Self.grouped(db, "COALESCE(original_language, '?')")
            for part in Coverage.allCases {
                stats.coverage[part.name] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM patent WHERE coverage & ? != 0",
                                                             arguments: [part.rawValue]) ?? 0
            }
            for level in FamilyLevel.allCases {
                var sizes = StoreStatistics.FamilySizes()
                let rows = try Row.fetchAll(db, sql: """
                    SELECT size, COUNT(*) AS families FROM
                    (SELECT COUNT(*) AS size FROM family WHERE level = ? GROUP BY family_id) GROUP BY size
                    """, arguments: [level.rawValue])
                for row in rows {
                    let size: Int = row["size"]
                    let families: Int = row["families"]
                    sizes.sizes[size] = families
                    sizes.count += families
                    sizes.largest = max(sizes.largest, size)
                }
                stats.families[level.description] = sizes
            }
            return stats
        }
    }

    private static func grouped(_ db: Database, _ expression: String) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT \(expression) AS k, COUNT(*) AS n FROM patent GROUP BY k") {
            result[row["k"] ?? "?"] = row["n"]
        }
        return result
    }
}
