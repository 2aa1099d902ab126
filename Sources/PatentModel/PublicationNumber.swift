/// A publication number: office, serial and kind code.
///
/// The normalised form (`US10047600B2`) is the store's key. Leading zeros of the
/// serial never matter (QUERY.md §8), so `US07158817B2` and `US7158817B2` are the
/// same publication; punctuation and spaces are dropped.
public struct PublicationNumber: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var office: String
    public var number: String
    public var kind: String

    /// Builds a number from its parts, normalising each part.
    /// Returns nil when office or serial is empty after normalisation.
    public init?(office: String, number: String, kind: String?) {
        let office = NumberNormalizer.office(office)
        var serial = NumberNormalizer.serial(number)
        // Sources like EPODOC glue the office to the serial (`EP2906782`).
        if serial.hasPrefix(office), office.count == 2,
           serial.dropFirst(2).first.map({ $0.isNumber }) == true {
            serial = NumberNormalizer.serial(String(serial.dropFirst(2)))
        }
        guard office.count == 2, !serial.isEmpty else { return nil }
        let kind = NumberNormalizer.kind(kind ?? "")
        // DOCDB writes US application publications with a 6-digit serial
        // (`US2014102795A1`); the office and PatSnap use 7 (`US20140102795A1`).
        if office == "US", serial.count == 10, kind.hasPrefix("A"), serial.allSatisfy(\.isASCIIDigitCharacter),
           serial.hasPrefix("19") || serial.hasPrefix("20") {
            serial = String(serial.prefix(4)) + "0" + String(serial.suffix(6))
        }
        self.office = office
        self.number = serial
        self.kind = kind
    }

    /// Parses a complete number such as `US10047600B2`, `US-10047600-B2`, `EP 2 906 782 A2`.
    public init?(parsing text: String) {
        let compact = String(text.uppercased().unicodeScalars.filter { NumberNormalizer.isKept($0) })
        guard compact.count > 2 else { return nil }
        let office = String(compact.prefix(2))
        guard office.allSatisfy({ $0.isLetter }) else { return nil }
        let rest = Array(compact.dropFirst(2))
        // The kind code is a trailing letter, optionally followed by one digit,
        // that comes right after a digit of the serial (`10047600B2`, `D920344S`).
        var kindLength = 0
        if rest.count >= 3, rest[rest.count - 1].isNumber, rest[rest.count - 2].isLetter, rest[rest.count - 3].isNumber {
            kindLength = 2
        } else if rest.count >= 2, rest[rest.count - 1].isLetter, rest[rest.count - 2].isNumber {
            kindLength = 1
        }
        let kind = String(rest.suffix(kindLength))
        self.init(office: office, number: String(rest.dropLast(kindLength)), kind: kind)
    }

    /// `US10047600B2`.
    public var normalized: String { office + number + kind }
    /// The number without its kind code (`US10047600`).
    public var withoutKind: String { office + number }
    public var description: String { normalized }
}

/// Normalisation rules for numbers of publications, applications and priorities.
public enum NumberNormalizer {
    static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
    }

    /// Upper-case letters and digits only; full-width digits become ASCII.
    public static func compact(_ text: String) -> String {
        // ASCII (nearly every number): letters upper-cased and digits kept, byte by byte.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: text.utf8.compactMap { byte -> UInt8? in
                switch byte {
                case 0x61...0x7A: return byte - 32
                case 0x41...0x5A, 0x30...0x39: return byte
                default: return nil
                }
            }, as: UTF8.self)
        }
        return compactScalars(text)
    }

    /// `compact` code point by code point (any script).
    static func compactScalars(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.uppercased().unicodeScalars where isKept(scalar) {
            if scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue {
                out.append(String(Int(value)))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func office(_ text: String) -> String {
        compact(text)
    }

    /// Serial number: compacted, leading zeros of the numeric part removed
    /// (`D0920344` → `D920344`, `07158817` → `7158817`).
    public static func serial(_ text: String) -> String {
        let compact = compact(text)
        var prefix = Substring(compact)
        var letters = ""
        while let first = prefix.first, first.isLetter {
            letters.append(first)
            prefix = prefix.dropFirst()
        }
        let trimmed = prefix.drop(while: { $0 == "0" })
        if trimmed.isEmpty && !prefix.isEmpty { return letters + "0" }
        return letters + trimmed
    }

    public static func kind(_ text: String) -> String {
        compact(text)
    }

    /// Key comparing application and priority numbers across sources and spellings: the
    /// office plus the serial in the office's own form (`ApplicationNumberKey`).
    /// `EP 13196195.5`, `EP13196195` and epodoc's `EP20130196195` give the same key.
    public static func applicationKey(office: String, number: String, kind: String? = nil) -> String {
        ApplicationNumberKey.key(office: office, number: number, kind: kind)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return start == scalars.startIndex && end == scalars.endIndex ? self : String(scalars[start..<end])
    }
}
