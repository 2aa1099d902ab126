import GRDB
import PatentModel

/// Keeps the `family` table equal to the connected components of the link keys
/// (`FamilyLevel.keys`), updating only the families a batch touches.
///
/// The batch's keys are replaced once (`family_link` holds each key with its patent;
/// the key's prefix says from which level up it links). For each level: the candidate
/// families are the old families of the changed patents and the families of every
/// patent sharing one of the level's new keys; their members are re-partitioned with
/// a union-find over keys. Each new component keeps the smallest old id among its
/// members (the largest component choosing first), so a family id never changes when
/// unrelated patents are imported, and only a split or a brand-new family takes a
/// fresh id. Every statement is prepared once per connection and each lookup covers
/// the whole batch (`json_each`), so a batch costs a handful of statements, not
/// several per patent.
struct FamilyMaintenance {
    let db: Database
    /// The revision of the batch: a patent whose family id changes gets it too, so the
    /// index re-reads it.
    let revision: Int

    func update(_ patents: [(pn: String, patent: Patent)]) throws {
        let changed = Set(patents.map(\.pn))
        let changedJSON = PatentStore.jsonArray(Array(changed))
        try db.cachedStatement(sql: "DELETE FROM family_link WHERE pn IN (SELECT value FROM json_each(?))")
            .execute(arguments: [changedJSON])
        let insertKey = try db.cachedStatement(sql: "INSERT OR IGNORE INTO family_link (key, pn) VALUES (?, ?)")
        var newKeys = Set<String>()
        for (pn, patent) in patents {
            // The extended level's keys include every lower level's.
            for key in FamilyLevel.extended.keys(of: patent) {
                try insertKey.execute(arguments: [key, pn])
                newKeys.insert(key)
            }
        }
        for level in FamilyLevel.allCases {
            try update(changed, changedJSON: changedJSON, newKeys: newKeys.filter(level.isLinked),
                       level: level)
        }
    }

    private func update(_ changed: Set<String>, changedJSON: String, newKeys: Set<String>, level: FamilyLevel) throws {
        let familiesOfChanged = try db.cachedStatement(sql: """
            SELECT family_id FROM family WHERE level = ? AND pn IN (SELECT value FROM json_each(?))
            """)
        var candidateFamilies = try Int.fetchSet(familiesOfChanged, arguments: [level.rawValue, changedJSON])
        // Families of every patent sharing a new key. CROSS JOIN fixes the join order:
        // look the keys up first, then their families.
        let sharing = try db.cachedStatement(sql: """
            SELECT DISTINCT f.family_id FROM family_link k CROSS JOIN family f ON f.pn = k.pn AND f.level = ?
            WHERE k.key IN (SELECT value FROM json_each(?))
            """)
        candidateFamilies.formUnion(try Int.fetchSet(sharing, arguments: [level.rawValue, PatentStore.jsonArray(Array(newKeys))]))
        // Members of the candidate families plus the changed patents.
        var members = changed
        var oldFamily: [String: Int] = [:]
        let membersOf = try db.cachedStatement(sql: """
            SELECT pn, family_id FROM family WHERE level = ? AND family_id IN (SELECT value FROM json_each(?))
            """)
        let idsJSON = "[" + candidateFamilies.map(String.init).joined(separator: ",") + "]"
        for row in try Row.fetchAll(membersOf, arguments: [level.rawValue, idsJSON]) {
            let pn: String = row[0]
            members.insert(pn)
            oldFamily[pn] = row[1]
        }
        let memberList = Array(members)
        var index: [String: Int] = [:]
        for (i, pn) in memberList.enumerated() { index[pn] = i }
        var unionFind = UnionFind(count: memberList.count)
        var firstByKey: [String: Int] = [:]
        let keysOf = try db.cachedStatement(sql: "SELECT pn, key FROM family_link WHERE pn IN (SELECT value FROM json_each(?))")
        for row in try Row.fetchAll(keysOf, arguments: [PatentStore.jsonArray(memberList)]) {
            let pn: String = row[0]
            let key: String = row[1]
            guard level.isLinked(by: key), let i = index[pn] else { continue }
            if let first = firstByKey[key] { unionFind.union(first, i) } else { firstByKey[key] = i }
        }
        var components: [Int: [Int]] = [:]
        for i in 0..<memberList.count { components[unionFind.find(i), default: []].append(i) }
        let ordered = components.values.sorted { $0.count != $1.count ? $0.count > $1.count : memberList[$0[0]] < memberList[$1[0]] }
        var claimed = Set<Int>()
        var fresh = try FreshIDs(db: db, counter: "family-\(level.rawValue)")
        let touch = try db.cachedStatement(sql: "UPDATE patent SET revision = ? WHERE pn = ?")
        let upsertFamily = try db.cachedStatement(sql: """
            INSERT INTO family (pn, level, family_id) VALUES (?, ?, ?)
            ON CONFLICT(pn, level) DO UPDATE SET family_id = excluded.family_id
            """)
        for component in ordered {
            let oldIDs = component.compactMap { oldFamily[memberList[$0]] }.filter { !claimed.contains($0) }
            let id = oldIDs.min() ?? fresh.next()
            claimed.insert(id)
            for i in component where oldFamily[memberList[i]] != id {
                try upsertFamily.execute(arguments: [memberList[i], level.rawValue, id])
                if !changed.contains(memberList[i]) {
                    try touch.execute(arguments: [revision, memberList[i]])
                }
            }
        }
        try fresh.save()
    }
}

/// New family ids for one batch: the counter is read once, handed out in memory and
/// written back once (inside the batch's transaction, so a rolled-back batch returns
/// its ids).
private struct FreshIDs {
    let db: Database
    let counter: String
    private var last: Int
    private var issued = false

    init(db: Database, counter: String) throws {
        self.db = db
        self.counter = counter
        last = try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE name = ?"), arguments: [counter]) ?? 0
    }

    mutating func next() -> Int {
        last += 1
        issued = true
        return last
    }

    func save() throws {
        guard issued else { return }
        try db.cachedStatement(sql: "INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
            .execute(arguments: [counter, last])
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
