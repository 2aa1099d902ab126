/// One canonical key per application (and priority) number, whatever spelling a source or
/// a user writes it in (QUERY.md "Clarifications", Numbers): the office's original form
/// (`61/713,164`, `2017-187096`, `10-2013-0123456`, `PCT/US2013/064470`, check digits
/// `13196195.5`), DOCDB (`US201261713164P`, `US2013064470W`, a kind letter after a year
/// and serial) and epodoc (`EP20130196195`, `WO2013US64470`). Search, export and family
/// links use the key, so every spelling of one number finds and joins the same patents.
///
/// The key is the office, then the serial as the office numbers it:
/// - US: series code and serial (`US61713164`); DOCDB's year in front is dropped. A serial
///   written without its series code (six digits) cannot be told apart across series and
///   stays as written.
/// - EP: two-digit year and six-digit serial (`EP13196195`); epodoc's four-digit year and
///   seven-digit serial become that.
/// - JP: four-digit year and six-digit serial (`JP2017187096`); epodoc's seven-digit serial
///   and the era forms (`H11-123456` → `JP1999123456`) become that.
/// - KR: year and seven-digit serial (`KR20130123456`); the right code in front of the
///   original form (`10-`, `20-`) is dropped.
/// - WO (PCT applications): `WO`, the receiving office, four-digit year and six-digit serial
///   (`WOUS2013064470`), from `PCT/US2013/064470`, `PCT/US97/12345`, DOCDB's `US2013064470W`
///   (the receiving office as office, kind `W`) and epodoc's `WO2013US64470`.
/// - Everywhere: a check digit after a dot and DOCDB's trailing kind letter are dropped, and
///   leading zeros of the serial removed.
enum ApplicationNumberKey {
    /// `kind` is the DOCDB kind given beside the number (`W`: a PCT application, the
    /// office the receiving one).
    static func key(office rawOffice: String, number: String, kind: String? = nil) -> String {
        var office = NumberNormalizer.office(rawOffice)
        var serial = NumberNormalizer.compact(withoutCheckDigit(number))
        if kind?.uppercased() == "W", office.count == 2, office != "WO", !serial.hasPrefix("PCT") {
            serial = (serial.hasPrefix(office) ? "" : office) + serial
            office = "WO"
        }
        if serial.hasPrefix("PCT") {
            office = "WO"
            serial.removeFirst(3)
        } else if office.count == 2, serial.hasPrefix(office), serial.count > 2 {
            serial.removeFirst(2)
        }
        // DOCDB's kind letter after the digits: `W` marks a PCT application filed at the office.
        if let last = serial.last, last.isLetter, serial.dropLast().count >= 5, serial.dropLast().allSatisfy(\.isASCIIDigitCharacter) {
            serial.removeLast()
            if last == "W", office != "WO", office.count == 2 {
                serial = office + serial
                office = "WO"
            }
        }
        if serial.allSatisfy(\.isASCIIDigitCharacter) { serial = String(serial.drop { $0 == "0" }) }
        switch office {
        case "US": serial = dropYear(serial, keeping: 8)
        case "EP": serial = epodocYear(serial, yearDigits: 2, serialDigits: 6)
        case "JP": serial = japanese(serial)
        case "KR": serial = korean(serial)
        case "WO": serial = pct(serial)
        default: break
        }
        return office + NumberNormalizer.serial(serial)
    }

    /// The number without a check digit after a final dot (`13196195.5`, `202111286633.X`).
    static func withoutCheckDigit(_ number: String) -> String {
        let raw = number.trimmingSpaces()
        guard let dot = raw.lastIndex(of: "."), raw.distance(from: dot, to: raw.endIndex) == 2 else { return raw }
        let digit = raw[raw.index(after: dot)]
        return digit.isNumber || digit == "X" || digit == "x" ? String(raw[..<dot]) : raw
    }

    private static func isYear(_ digits: Substring) -> Bool {
        digits.count == 4 && (digits.hasPrefix("19") || digits.hasPrefix("20"))
    }

    /// A year in front of a serial of `keeping` digits (DOCDB's US form) dropped.
    private static func dropYear(_ serial: String, keeping: Int) -> String {
        guard serial.count == keeping + 4, serial.allSatisfy(\.isASCIIDigitCharacter),
              isYear(serial.prefix(4)) else { return serial }
        return String(serial.dropFirst(4))
    }

    /// epodoc's `yyyy0nnnnnn` as the office's year and serial of fixed widths.
    private static func epodocYear(_ serial: String, yearDigits: Int, serialDigits: Int) -> String {
        guard serial.count == 4 + serialDigits + 1, serial.allSatisfy(\.isASCIIDigitCharacter), isYear(serial.prefix(4)),
              serial.dropFirst(4).first == "0" else { return serial }
        return String(serial.prefix(4).suffix(yearDigits)) + String(serial.suffix(serialDigits))
    }

    /// JP: epodoc's seven-digit serial, and era years (Showa S, Heisei H, Reiwa R).
    private static func japanese(_ serial: String) -> String {
        if let era = serial.first, let base = ["S": 1925, "H": 1988, "R": 2018][String(era)] {
            let digits = serial.dropFirst()
            guard digits.count == 8, digits.allSatisfy(\.isASCIIDigitCharacter), let year = Int(digits.prefix(2)) else { return serial }
            return String(base + year) + String(digits.suffix(6))
        }
        return epodocYear(serial, yearDigits: 4, serialDigits: 6)
    }

    /// KR: the right code (`10` patent, `20` utility model, …) before year and serial dropped.
    private static func korean(_ serial: String) -> String {
        guard serial.count == 13, serial.allSatisfy(\.isASCIIDigitCharacter), isYear(serial.dropFirst(2).prefix(4)) else { return serial }
        return String(serial.dropFirst(2))
    }

    /// PCT: receiving office, four-digit year, six-digit serial, from any of the forms:
    /// epodoc's `2013US64470`, and `US2013064470` or (before 2004) `US9712345`.
    private static func pct(_ serial: String) -> String {
        let chars = Array(serial)
        let receiving: String, year: String
        var number: ArraySlice<Character>
        if chars.count > 6, chars[0...3].allSatisfy(\.isASCIIDigitCharacter), chars[4].isLetter, chars[5].isLetter {
            (receiving, year, number) = (String(chars[4...5]), String(chars[0...3]), chars[6...])
        } else if chars.count > 2, chars[0].isLetter, chars[1].isLetter {
            let digits = chars[2...]
            if (9...10).contains(digits.count), isYear(Substring(String(digits.prefix(4)))) {
                (receiving, year, number) = (String(chars[0...1]), String(digits.prefix(4)), digits.dropFirst(4))
            } else if (5...7).contains(digits.count), let yy = Int(String(digits.prefix(2))) {
                (receiving, year, number) = (String(chars[0...1]), String(yy >= 78 ? 1900 + yy : 2000 + yy), digits.dropFirst(2))
            } else {
                return serial
            }
        } else {
            return serial
        }
        guard !number.isEmpty, number.allSatisfy(\.isASCIIDigitCharacter) else { return serial }
        let trimmed = number.drop { $0 == "0" }
        guard trimmed.count <= 6 else { return serial }
        return receiving + year + String(repeating: "0", count: 6 - trimmed.count) + String(trimmed)
    }
}
