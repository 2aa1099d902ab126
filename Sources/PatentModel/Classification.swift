/// IPC and CPC codes in one normalised spelling: `H01M10/0525`.
///
/// Offices spell the same code many ways; all of these normalise to `H01M10/0525`:
/// `H01M 10/0525`, `H01M  10/0525  20100101AFI…` (IPCR text with version data),
/// `H01M0010052500` (WIPO 14-character long form), `H01M010/0525`, and the USPTO
/// fixed-width form `H01M 100525` (three characters of main group, then the subgroup).
/// Subgroup digits are a decimal fraction, so trailing zeros beyond two digits are
/// dropped (`052500` → `0525`, `050` → `05`).
public enum Classification {
    /// Normalises one code; `continuing` supplies the subclass for USPTO
    /// `further-classification` values that omit it (`  2115`).
    /// Returns nil when the text is not an IPC/CPC code (`C03B19/14D` is ECLA).
    public static func normalise(_ text: String, continuing subclass: String? = nil) -> String? {
        var chars = text.uppercased().map { $0 == "\u{3000}" || $0 == "\t" ? " " : $0 }
        if let paren = chars.firstIndex(of: "(") { chars = Array(chars[..<paren]) }
        while chars.first == " " || chars.first == "\t" || chars.first == "\n" { chars.removeFirst() }
        var head: String
        var rest: ArraySlice<Character>
        if chars.count >= 4, isSubclass(chars[0..<4]) {
            head = String(chars[0..<4])
            rest = chars[4...]
        } else if let subclass, !chars.isEmpty, chars.allSatisfy({ $0.isNumber || $0 == " " || $0 == "/" }) {
            head = subclass
            // `  2115`: the subclass column is blank; main group in 3 columns, subgroup after.
            let digits = Array(String(chars).trimmingSpaces())
            rest = chars.contains("/") ? ArraySlice(chars)
                : ArraySlice(Array(repeating: " ", count: max(0, 5 - digits.count)) + digits)
        } else {
            return partial(chars)
        }
        // WIPO long form: 4 digits main group + 6 digits subgroup.
        let compact = rest.filter { $0 != " " }
        if compact.count == 10, compact.allSatisfy(\.isASCIIDigit), !rest.contains("/") {
            return compose(head, main: String(compact.prefix(4)), sub: String(compact.suffix(6)))
        }
        // Cut version data and flags: everything after the code's last digit run.
        let trimmedRest = Array(rest)
        if let slash = trimmedRest.firstIndex(of: "/") {
            let main = String(trimmedRest[..<slash]).filter { $0 != " " }
            var sub = ""
            var i = trimmedRest.index(after: slash)
            while i < trimmedRest.count, trimmedRest[i] == " " { i += 1 }
            while i < trimmedRest.count, trimmedRest[i].isASCIIDigit { sub.append(trimmedRest[i]); i += 1 }
            // A letter glued to the subgroup marks another scheme (ECLA `14D`).
            if i < trimmedRest.count, trimmedRest[i].isLetter { return nil }
            return compose(head, main: main, sub: sub)
        }
        // USPTO fixed width: 3 characters main group (right-justified) + subgroup.
        let field = String(trimmedRest).prefix(while: { $0 != "\t" })
        let token = field.split(separator: " ", omittingEmptySubsequences: true)
        if field.count >= 5, !token.isEmpty {
            let fixed = Array(field)
            let main = String(fixed[0..<3]).filter { $0 != " " }
            let sub = String(fixed[3...]).prefix(while: { $0.isASCIIDigit || $0 == " " }).filter { $0 != " " }
            if !main.isEmpty, sub.count >= 2 { return compose(head, main: main, sub: String(sub)) }
        }
        if token.count == 1, token[0].allSatisfy(\.isASCIIDigit) {
            return compose(head, main: String(token[0]), sub: "")
        }
        return token.isEmpty ? head : nil
    }

    /// Section (`H`), class (`H01`) or subclass (`H01M`) alone.
    static func partial(_ chars: [Character]) -> String? {
        let code = chars.filter { $0 != " " }
        switch code.count {
        case 1 where isSection(code[0]): return String(code)
        case 3 where isSection(code[0]) && code[1].isASCIIDigit && code[2].isASCIIDigit: return String(code)
        case 4 where isSubclass(code[0..<4]): return String(code)
        default: return nil
        }
    }

    static func compose(_ subclass: String, main: String, sub: String) -> String? {
        guard !main.isEmpty, main.allSatisfy(\.isASCIIDigit), sub.allSatisfy(\.isASCIIDigit),
              let group = Int(main) else { return nil }
        if sub.isEmpty { return "\(subclass)\(group)" }
        var digits = sub
        while digits.count > 2, digits.last == "0" { digits.removeLast() }
        if digits.count == 1 { digits += "0" }
        return "\(subclass)\(group)/\(digits)"
    }

    static func isSection(_ c: Character) -> Bool { ("A"..."H").contains(c) || c == "Y" }

    static func isSubclass(_ c: ArraySlice<Character>) -> Bool {
        let a = Array(c)
        return a.count == 4 && isSection(a[0]) && a[1].isASCIIDigit && a[2].isASCIIDigit && a[3].isLetter && a[3].isASCII
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
