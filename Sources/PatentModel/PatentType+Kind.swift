extension PatentType {
    /// The patent type implied by an office's kind code, following WIPO ST.16 and
    /// the offices' own kind tables (US `A` before 2001 is a grant; CN/JP/KR `U`/`Y`
    /// are utility models; `S` is a design everywhere).
    public static func from(office: String, kind: String, publicationYear: Int? = nil) -> PatentType {
        guard let letter = kind.uppercased().first else { return .unknown }
        switch (office.uppercased(), letter) {
        case (_, "S"): return .design
        case ("US", "A"):
            if kind.count == 1 { return (publicationYear ?? 2001) < 2001 ? .grantedInvention : .application }
            return .application
        case ("US", "B"): return .grantedInvention
        case ("US", "E"), ("US", "P"), ("US", "H"), ("US", "I"): return .other
        case ("RU", "C"), ("CA", "C"), ("CN", "C"), ("JP", "C"), ("DE", "C"), ("FR", "B"), ("GB", "B"): return .grantedInvention
        case (_, "A"), (_, "W"): return .application
        case (_, "B"), (_, "C"): return .grantedInvention
        case (_, "U"), (_, "Y"): return .utilityModel
        case ("KR", "D"), ("CN", "D"): return .design
        default: return .unknown
        }
    }

    /// Whether a publication of this office and kind publishes a granted right — an
    /// invention, utility model, design, plant or reissue — and so has an issue date
    /// (QUERY.md §9 "ISD"): US B1/B2, A before 2001, E, S, P/P2/P3 (not the plant
    /// application publications P1/P4); EP B1/B2/B3; CN B/C/U/Y/S; JP B/C/U/Y/S; KR B/Y/S
    /// (KR U is a utility-model application); WO never; elsewhere B, C, U, Y and S. Kind
    /// A and anything unlisted is an application or a report.
    public static func isGrant(office: String, kind: String, publicationYear: Int? = nil) -> Bool {
        let kind = kind.uppercased()
        guard let letter = kind.first else { return false }
        switch (office.uppercased(), letter) {
        case ("WO", _): return false
        case ("US", "A"): return kind.count == 1 && (publicationYear ?? 2001) < 2001
        case ("US", "B"), ("US", "E"), ("US", "S"): return true
        case ("US", "P"): return kind != "P1" && kind != "P4"
        case ("US", _), ("EP", "C"), ("EP", "U"), ("EP", "Y"), ("KR", "U"), (_, "A"): return false
        case (_, "B"), (_, "C"), (_, "U"), (_, "Y"), (_, "S"): return true
        default: return false
        }
    }
}

extension Patent {
    /// Whether this publication is of a granted right (`PatentType.isGrant`).
    public var isGrantPublication: Bool {
        PatentType.isGrant(office: publication.office, kind: publication.kind, publicationYear: publicationDate?.year)
    }

    /// The issue date ISD searches and exports: the grant date a source gives, else for a
    /// grant publication its publication date; none for applications and reports.
    public var issueDate: PatentDate? {
        guard isGrantPublication || type == .grantedInvention else { return nil }
        return grantDate ?? publicationDate
    }
}
