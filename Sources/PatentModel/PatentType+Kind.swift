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
}
