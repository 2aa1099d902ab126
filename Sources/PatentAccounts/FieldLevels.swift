import PatentQuery

/// The fee level of each export field: the operator's (`patents fields level`), else the
/// catalogue's.
public struct FieldLevels: Sendable, Equatable {
    public var overrides: [String: Int]

    public init(overrides: [String: Int] = [:]) { self.overrides = overrides }

    public func level(of field: ExportField) -> Int { overrides[field.code] ?? field.level }
}
