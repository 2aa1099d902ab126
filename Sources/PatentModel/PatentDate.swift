/// A calendar date as offices publish it (`yyyyMMdd`), validated.
///
/// Stored and encoded as the integer `yyyyMMdd`, which sorts like the date.
public struct PatentDate: Codable, Sendable, Comparable, Hashable, CustomStringConvertible {
    public let value: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1000...9999).contains(year), (1...12).contains(month),
              (1...PatentDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        value = year * 10_000 + month * 100 + day
    }

    /// Parses `yyyyMMdd`, `yyyy-MM-dd`, `yyyy/MM/dd`, `yyyy.MM.dd` and ISO timestamps
    /// (`2021-05-25T00:00:00Z`). Returns nil for anything else, including `00000000`.
    public init?(_ text: String) {
        var digits: [Int] = []
        for scalar in text.unicodeScalars {
            if scalar == "T" || scalar == " " && digits.count == 8 { break }
            if let v = scalar.properties.numericType == .decimal ? scalar.properties.numericValue : nil {
                digits.append(Int(v))
            } else if !"-/.".unicodeScalars.contains(scalar) && !scalar.properties.isWhitespace {
                return nil
            }
            if digits.count > 8 { return nil }
        }
        guard digits.count == 8 else { return nil }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        self.init(year: year, month: month, day: day)
    }

    public var year: Int { value / 10_000 }
    public var month: Int { value / 100 % 100 }
    public var day: Int { value % 100 }

    /// `yyyyMMdd`.
    public var description: String { String(value) }
    /// `yyyy-MM-dd`.
    public var iso: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    public static func < (lhs: PatentDate, rhs: PatentDate) -> Bool { lhs.value < rhs.value }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(Int.self)
        guard let date = PatentDate(String(raw)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid date \(raw)")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
