import GRDB
import PatentModel

/// Keeps the `family` table equal to the connected components of the link keys
/// (`FamilyLevel.keys`), updating only the families a batch touches.
///
/// For each level: the batch's keys are replaced; the candidate families are the
/// old families of the changed patents and the families of every patent sharing a
/// new key; their members are re-partitioned with a union-find over keys. Each new
/// component keeps the smallest old id among its members (the largest component
/// choosing first), so a family id never changes when unrelated patents are
/// imported, and only a split or a brand-new family takes a fresh id.
struct FamilyMaintenance {
    let db: Database
    /// The revision of the batch: a patent whose family id changes gets it too, so the
    /// index re-reads it.
    let revision: Int

    func update(_ patents: [(pn: String, patent: Patent)]) throws {
        for level in FamilyLevel.allCases {
            try update(patents, level: level)
        }
    }

    private func update(_ patents: [(pn: String, patent: Patent)], level: FamilyLevel) throws {
        let changed = Set(patents.map(\.pn))
        var candidateFamilies = Set<Int>()
        for pn in changed {
            if let id = try Int.fetchOne(db, sql: "SELECT family_id FROM family WHERE pn = ? AND level = ?", arguments: [pn, level.rawValue]) {
                candidateFamilies.insert(id)
            }
        }
        try db.execute(sql: "DELETE FROM family_key WHERE level = ? AND pn IN (SELECT value FROM json_each(?))",
                       arguments: [level.rawValue, PatentStore.jsonArray(Array(changed))])
        let insertKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO family_key (level, key, pn) VALUES (?, ?, ?)")
        // CROSS JOIN fixes the join order: look the key up first, then its families.
        let sharing = try db.cachedStatement(sql: """
            SELECT DISTINCT f.family_id FROM family_key k CROSS JOIN family f ON f.pn = k.pn AND f.level = k.level
            WHERE k.level = ? AND k.key = ?
            """)
        for (pn, patent) in patents {
            for key in level.keys(of: patent) {
                try insertKey.execute(arguments: [level.rawValue, key, pn])
                candidateFamilies.formUnion(try Int.fetchSet(sharing, arguments: [level.rawValue, key]))
            }
        }
        // Members of the candidate families plus the changed patents.
        var members = changed
        var oldFamily: [String: Int] = [:]
        for id in candidateFamilies {
            for pn in try String.fetchAll(db, sql: "SELECT pn FROM family WHERE level = ? AND family_id = ?", arguments: [level.rawValue, id]) {
                members.insert(pn)
                oldFamily[pn] = id
            }
        }
        let memberList = Array(members)
        var index: [String: Int] = [:]
        for (i, pn) in memberList.enumerated() { index[pn] = i }
        var unionFind = UnionFind(count: memberList.count)
        var firstByKey: [String: Int] = [:]
        let rows = try Row.fetchAll(db, sql: "SELECT pn, key FROM family_key WHERE level = ? AND pn IN (SELECT value FROM json_each(?))",
                                    arguments: [level.rawValue, PatentStore.jsonArray(memberList)])
        for row in rows {
            let pn: String = row["pn"]
            let key: String = row["key"]
            guard let i = index[pn] else { continue }
            if let first = firstByKey[key] { unionFind.union(first, i) } else { firstByKey[key] = i }
        }
        var components: [Int: [Int]] = [:]
        for i in 0..<memberList.count { components[unionFind.find(i), default: []].append(i) }
        let ordered = components.values.sorted { $0.count != $1.count ? $0.count > $1.count : memberList[$0[0]] < memberList[$1[0]] }
        var claimed = Set<Int>()
        let touch = try db.cachedStatement(sql: "UPDATE patent SET revision = ? WHERE pn = ?")
        let upsertFamily = try db.cachedStatement(sql: """
            INSERT INTO family (pn, level, family_id) VALUES (?, ?, ?)
            ON CONFLICT(pn, level) DO UPDATE SET family_id = excluded.family_id
            """)
        for component in ordered {
            let oldIDs = component.compactMap { oldFamily[memberList[$0]] }.filter { !claimed.contains($0) }
            let id = try oldIDs.min() ?? PatentStore.nextValue(db, counter: "family-\(level.rawValue)")
            claimed.insert(id)
            for i in component where oldFamily[memberList[i]] != id {
                try upsertFamily.execute(arguments: [memberList[i], level.rawValue, id])
                if !changed.contains(memberList[i]) {
                    try touch.execute(arguments: [revision, memberList[i]])
                }
            }
        }
    }
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    private var parent: [Int]
    private var size: [Int]

    init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a)
        var rb = find(b)
        guard ra != rb else { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
    }
}
