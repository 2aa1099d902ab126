import GRDB
import PatentModel

/// Keeps the `family` table equal to the connected components of the link keys
/// (`FamilyLevel.keys`), updating only the families a batch touches.
///
/// The batch's keys are replaced once (`family_link` holds each key with its patent;
/// the key's prefix says from which level up it links). The candidates are the old
/// extended families of the changed patents and of every patent sharing one of their
/// new keys: an extended family holds the INPADOC and DOCDB families of its members, so
/// these members, their keys and their old ids at every level — read once, three
/// lookups for the batch — are all any level's union-find needs.
///
/// Ids (API.md "Changes", FAM_ID): a DOCDB family takes the DOCDB family id its
/// members' sources give (the one most members carry; on a tie the smallest). Every
/// other family keeps the smallest old local id among its members (the largest
/// component choosing first), so an id never changes when unrelated patents are
/// imported, and only a split or a brand-new family takes a fresh local id
/// (`FamilyLevel.localIDBase` up, never a DOCDB family id).
struct FamilyMaintenance {
    let db: Database
    /// The revision of the batch: a patent whose family id changes gets it too, so the
    /// index re-reads it.
    let revision: Int

    func update(_ patents: [(pn: String, patent: Patent)]) throws {
        let changed = Set(patents.map(\.pn))
        let changedJSON = PatentStore.jsonArray(changed)
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
        let members = try Members(db: db, changed: changed, changedJSON: changedJSON, newKeys: newKeys)
        var touched = Set<String>()
        for level in FamilyLevel.allCases {
            try partition(members, level: level, touched: &touched)
        }
        let touch = try db.cachedStatement(sql: "UPDATE patent SET revision = ? WHERE pn = ?")
        for pn in touched.subtracting(changed) { try touch.execute(arguments: [revision, pn]) }
    }

    /// Of the DOCDB family ids a family's members carry (id → how many carry it), the one
    /// it is named by: the most carried, the smallest on a tie.
    static func preferredSourceID(_ counts: [Int: Int]) -> Int? {
        counts.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key
    }

    /// Re-partitions the members at one level and writes the ids that changed.
    private func partition(_ members: Members, level: FamilyLevel, touched: inout Set<String>) throws {
        var unionFind = UnionFind(count: members.pns.count)
        var firstByKey: [String: Int] = [:]
        for (i, key) in members.links where level.isLinked(by: key) {
            if let first = firstByKey[key] { unionFind.union(first, i) } else { firstByKey[key] = i }
        }
        var components: [Int: [Int]] = [:]
        for i in members.pns.indices { components[unionFind.find(i), default: []].append(i) }
        let ordered = components.values.sorted {
            $0.count != $1.count ? $0.count > $1.count : members.pns[$0[0]] < members.pns[$1[0]]
        }
        let old = members.oldIDs[level.rawValue - 1]
        var claimed = Set<Int>()
        var fresh = try FreshIDs(db: db, counter: "family-\(level.rawValue)")
        let upsertFamily = try db.cachedStatement(sql: """
            INSERT INTO family (pn, level, family_id) VALUES (?, ?, ?)
            ON CONFLICT(pn, level) DO UPDATE SET family_id = excluded.family_id
            """)
        for component in ordered {
            let id: Int
            if level == .docdb, let source = members.sourceID(of: component) {
                id = source
            } else {
                let oldIDs = component.compactMap { old[$0] }.filter { $0 >= FamilyLevel.localIDBase && !claimed.contains($0) }
                id = try oldIDs.min() ?? fresh.next()
            }
            claimed.insert(id)
            for i in component where old[i] != id {
                try upsertFamily.execute(arguments: [members.pns[i], level.rawValue, id])
                touched.insert(members.pns[i])
            }
        }
        try fresh.save()
    }
}

/// The patents whose families a batch may change, with their link keys and old ids.
private struct Members {
    /// The changed patents and every member of the old extended families they touch.
    private(set) var pns: [String] = []
    /// (member, key) for every link key of every member.
    private(set) var links: [(Int, String)] = []
    /// Per level (`rawValue - 1`), each member's old family id.
    private(set) var oldIDs: [[Int?]] = []
    /// Each member's DOCDB family ids from its sources.
    private var sourceIDs: [Int: [Int]] = [:]

    init(db: Database, changed: Set<String>, changedJSON: String, newKeys: Set<String>) throws {
        let extended = FamilyLevel.extended.rawValue
        // Old extended families of the changed patents and of every patent sharing a new
        // key. CROSS JOIN fixes the join order: the keys first, then their families.
        var candidates = try Int.fetchSet(db.cachedStatement(sql: """
            SELECT family_id FROM family WHERE level = ? AND pn IN (SELECT value FROM json_each(?))
            """), arguments: [extended, changedJSON])
        candidates.formUnion(try Int.fetchSet(db.cachedStatement(sql: """
            SELECT DISTINCT f.family_id FROM family_link k CROSS JOIN family f ON f.pn = k.pn AND f.level = ?
            WHERE k.key IN (SELECT value FROM json_each(?))
            """), arguments: [extended, PatentStore.jsonArray(newKeys)]))
        var index: [String: Int] = [:]
        func member(_ pn: String) -> Int {
            if let i = index[pn] { return i }
            index[pn] = pns.count
            pns.append(pn)
            return pns.count - 1
        }
        for pn in changed { _ = member(pn) }
        // Their members with their ids at every level.
        var old: [(Int, Int, Int)] = []
        let idsJSON = "[" + candidates.map(String.init).joined(separator: ",") + "]"
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT f.pn, f.level, f.family_id FROM family m CROSS JOIN family f ON f.pn = m.pn
            WHERE m.level = ? AND m.family_id IN (SELECT value FROM json_each(?))
            """), arguments: [extended, idsJSON])
        while let row = try rows.next() { old.append((member(row[0]), row[1], row[2])) }
        oldIDs = Array(repeating: Array(repeating: nil, count: pns.count), count: FamilyLevel.allCases.count)
        for (i, level, id) in old where (1...FamilyLevel.allCases.count).contains(level) { oldIDs[level - 1][i] = id }
        let keys = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT pn, key FROM family_link WHERE pn IN (SELECT value FROM json_each(?))
            """), arguments: [PatentStore.jsonArray(pns)])
        while let row = try keys.next() {
            guard let i = index[row[0] as String] else { continue }
            let key: String = row[1]
            links.append((i, key))
            if let source = FamilyLevel.sourceFamilyID(linkKey: key) { sourceIDs[i, default: []].append(source) }
        }
    }

    /// The DOCDB family id most of a component's members carry (the smallest on a tie),
    /// or nil when none carries one.
    func sourceID(of component: [Int]) -> Int? {
        var counts: [Int: Int] = [:]
        for i in component { for id in sourceIDs[i] ?? [] { counts[id, default: 0] += 1 } }
        return FamilyMaintenance.preferredSourceID(counts)
    }
}

/// Every local family id of a level has been handed out (`FamilyLevel.localIDLimit`).
public struct FamilyIDsExhausted: Error, CustomStringConvertible {
    public let counter: String
    public var description: String {
        "no local family id is left (\(counter) reached \(FamilyLevel.localIDLimit)); the import stopped before this batch"
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

    /// The next local id (`FamilyLevel.localIDBase` + the counter).
    mutating func next() throws -> Int {
        guard last < FamilyLevel.localIDLimit - FamilyLevel.localIDBase else {
            throw FamilyIDsExhausted(counter: counter)
        }
        last += 1
        issued = true
        return FamilyLevel.localIDBase + last
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
