/// The family groupings of QUERY.md §8 "Collapse", computed over the whole store.
public enum FamilyLevel: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// DOCDB simple family: the same DOCDB family id given by a source, or the same
    /// non-empty set of normalised priority claims.
    case docdb = 1
    /// INPADOC family: DOCDB links plus any one shared priority claim.
    case inpadoc = 2
    /// Extended family: INPADOC links plus shared application numbers, a priority equal
    /// to another patent's application number, and continuation/division links.
    case extended = 3

    public var description: String {
        switch self {
        case .docdb: return "DOCDB"
        case .inpadoc: return "INPADOC"
        case .extended: return "EXTEND"
        }
    }

    /// The link keys a patent contributes at this level; two patents sharing a key
    /// are in one family, and families are the connected components of that relation.
    public func keys(of patent: Patent) -> Set<String> {
        var keys = Set<String>()
        if let family = patent.docdbFamilyID, !family.isEmpty { keys.insert("F:\(family)") }
        let priorityKeys = patent.priorities.map(\.key).filter { $0.count > 2 }
        if !priorityKeys.isEmpty { keys.insert("S:" + Set(priorityKeys).sorted().joined(separator: ",")) }
        guard self != .docdb else { return keys }
        for key in priorityKeys { keys.insert("P:\(key)") }
        guard self == .extended else { return keys }
        if let application = patent.application?.key, application.count > 2 { keys.insert("A:\(application)") }
        for key in priorityKeys { keys.insert("A:\(key)") }
        for related in patent.relatedDocuments where Self.linksApplications(related.relation) {
            let key = related.document.key
            if key.count > 2 { keys.insert("A:\(key)") }
        }
        return keys
    }

    /// The first local family id. A family no source names (every INPADOC and extended
    /// family, and a DOCDB family none of whose members carries a DOCDB family id) is
    /// numbered above it: 10 digits, where DOCDB family ids have at most 9 (they are
    /// below 10^8 today), so a local id is never mistaken for one an office gave. Local
    /// ids end at `localIDLimit` (the index keeps family ids in 32 bits): 1.1 billion.
    public static let localIDBase = 1_000_000_000
    /// The largest local family id.
    public static let localIDLimit = Int(Int32.max)

    /// The DOCDB family id a `F:` link key carries, when it is a number a source could
    /// have given (positive, below `localIDBase`); nil for any other key or spelling.
    public static func sourceFamilyID(linkKey key: String) -> Int? {
        guard key.utf8.first == UInt8(ascii: "F"), let id = Int(key.dropFirst(2)), id > 0, id < localIDBase else { return nil }
        return id
    }

    /// The lowest level a link key counts at (its prefix says which): a key links its
    /// patents at that level and every level above, as `keys(of:)` gives them.
    public static func lowest(linkedBy key: String) -> FamilyLevel {
        switch key.utf8.first {
        case UInt8(ascii: "F"), UInt8(ascii: "S"): .docdb
        case UInt8(ascii: "P"): .inpadoc
        default: .extended
        }
    }

    /// Whether a link key joins patents at this level.
    public func isLinked(by key: String) -> Bool { Self.lowest(linkedBy: key).rawValue <= rawValue }

    /// Relations whose document is an application this one descends from
    /// (continuations, divisions, provisionals); publication-number relations
    /// such as reissues or the earlier publication are not application links.
    static func linksApplications(_ relation: String) -> Bool {
        let name = relation.lowercased()
        guard !name.hasSuffix("-grant") else { return false }
        return name.contains("continuation") || name.contains("division") || name.contains("provisional")
            || name == "related-application" || name == "parent"
    }
}
