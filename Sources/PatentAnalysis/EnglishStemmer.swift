/// PatentAnalysis: text analysis shared by indexing and querying (QUERY.md §1):
/// normalisation, paragraphs, sentences, tokens with positions, and stems.
///
/// This file: the Snowball English (Porter2) stemmer, written from the Snowball
/// algorithm and checked word for word against the reference implementation on every
/// distinct Latin word of the shared corpus (Tests/Fixtures/porter2-reference.tsv).
public enum EnglishStemmer {
    /// The Porter2 stem of a lower-case word.
    public static func stem(_ word: String) -> String {
        var w = Word(word)
        return w.stemmed()
    }
}

private struct Word {
    var s: [Unicode.Scalar]
    var p1 = 0
    var p2 = 0
    var yFound = false

    init(_ word: String) { s = Array(word.unicodeScalars) }

    static func isVowel(_ c: Unicode.Scalar) -> Bool {
        c == "a" || c == "e" || c == "i" || c == "o" || c == "u" || c == "y"
    }

    static func isVowelWXY(_ c: Unicode.Scalar) -> Bool { isVowel(c) || c == "w" || c == "x" || c == "Y" }

    static func isValidLI(_ c: Unicode.Scalar) -> Bool { "cdeghkmnrt".unicodeScalars.contains(c) }

    var string: String { String(String.UnicodeScalarView(s)) }

    func ends(_ suffix: String) -> Bool {
        let x = Array(suffix.unicodeScalars)
        return s.count >= x.count && Array(s[(s.count - x.count)...]) == x
    }

    mutating func replaceSuffix(_ length: Int, with replacement: String) {
        s.removeLast(length)
        s.append(contentsOf: replacement.unicodeScalars)
    }

    mutating func stemmed() -> String {
        if let exception = Self.exception1[string] { return exception }
        if s.count <= 2 { return string }
        prelude()
        markRegions()
        step1a()
        if Self.exception2.contains(string) { return postlude() }
        step1b()
        step1c()
        step2()
        step3()
        step4()
        step5()
        return postlude()
    }

    mutating func prelude() {
        if s.first == "'" { s.removeFirst() }
        if s.first == "y" { s[0] = "Y"; yFound = true }
        var i = 1
        while i < s.count {
            if s[i] == "y" && Self.isVowel(s[i - 1]) { s[i] = "Y"; yFound = true }
            i += 1
        }
    }

    func postlude() -> String {
        String(String.UnicodeScalarView(s.map { $0 == "Y" ? "y" : $0 }))
    }

    /// Position after the first non-vowel that follows a vowel, from `start`.
    func regionStart(from start: Int) -> Int {
        var i = start
        while i < s.count && !Self.isVowel(s[i]) { i += 1 }
        while i < s.count && Self.isVowel(s[i]) { i += 1 }
        return min(i + 1, s.count)
    }

    mutating func markRegions() {
        p1 = s.count
        p2 = s.count
        let word = string
        if let prefix = Self.r1Prefixes.first(where: { word.hasPrefix($0) }) {
            p1 = prefix.unicodeScalars.count
        } else {
            var i = 0
            while i < s.count && !Self.isVowel(s[i]) { i += 1 }
            guard i < s.count else { return }
            while i < s.count && Self.isVowel(s[i]) { i += 1 }
            guard i < s.count else { return }
            p1 = i + 1
        }
        // p2: after the next vowel–non-vowel pair following p1.
        var i = p1
        while i < s.count && !Self.isVowel(s[i]) { i += 1 }
        guard i < s.count else { return }
        while i < s.count && Self.isVowel(s[i]) { i += 1 }
        guard i < s.count else { return }
        p2 = i + 1
    }

    /// A short syllable ends at `end` (exclusive): non-vowel (not w, x, Y), vowel,
    /// non-vowel; or, at the start of the word, vowel then non-vowel.
    func shortSyllable(endingAt end: Int) -> Bool {
        if end == 4, s[0] == "p", s[1] == "a", s[2] == "s", s[3] == "t" { return true }
        if end >= 3, !Self.isVowelWXY(s[end - 1]), Self.isVowel(s[end - 2]), !Self.isVowel(s[end - 3]) { return true }
        if end == 2, Self.isVowel(s[0]), !Self.isVowel(s[1]) { return true }
        return false
    }

    var isShort: Bool { p1 >= s.count && shortSyllable(endingAt: s.count) }

    func r1(_ suffixLength: Int) -> Bool { s.count - suffixLength >= p1 }
    func r2(_ suffixLength: Int) -> Bool { s.count - suffixLength >= p2 }

    func containsVowel(before end: Int) -> Bool { s[..<end].contains(where: Self.isVowel) }

    mutating func step1a() {
        if ends("'s'") { s.removeLast(3) } else if ends("'s") { s.removeLast(2) } else if ends("'") { s.removeLast(1) }
        if ends("sses") {
            replaceSuffix(4, with: "ss")
        } else if ends("ied") || ends("ies") {
            replaceSuffix(3, with: s.count > 4 ? "i" : "ie")
        } else if ends("us") || ends("ss") {
            return
        } else if ends("s") {
            // Delete if the preceding part contains a vowel not immediately before the s.
            if s.count >= 3, containsVowel(before: s.count - 2) { s.removeLast() }
        }
    }

    mutating func step1b() {
        for suffix in ["eedly", "eed"] where ends(suffix) {
            if r1(suffix.count) { replaceSuffix(suffix.count, with: "ee") }
            return
        }
        guard let suffix = ["ingly", "edly", "ing", "ed"].first(where: { ends($0) }) else { return }
        let stemEnd = s.count - suffix.count
        guard containsVowel(before: stemEnd) else { return }
        s.removeLast(suffix.count)
        if ends("at") || ends("bl") || ends("iz") {
            s.append("e")
        } else if let last = s.last, s.count >= 2, s[s.count - 2] == last, "bdfgmnprt".unicodeScalars.contains(last) {
            // A vowel and a double consonant alone stay (`added` → `add`).
            if !(s.count == 3 && Self.isVowel(s[0])) { s.removeLast() }
        } else if isShort {
            s.append("e")
        }
    }

    mutating func step1c() {
        guard let last = s.last, last == "y" || last == "Y", s.count > 2, !Self.isVowel(s[s.count - 2]) else { return }
        s[s.count - 1] = "i"
    }

    mutating func step2() {
        for (suffix, replacement) in Self.step2Rules where ends(suffix) {
            guard r1(suffix.unicodeScalars.count) else { return }
            switch suffix {
            case "ogi", "ogist":
                let length = suffix.unicodeScalars.count
                if s.count > length, s[s.count - length - 1] == "l" { replaceSuffix(length, with: replacement) }
            case "li":
                if s.count >= 3, Self.isValidLI(s[s.count - 3]) { s.removeLast(2) }
            default:
                replaceSuffix(suffix.unicodeScalars.count, with: replacement)
            }
            return
        }
    }

    mutating func step3() {
        for (suffix, replacement) in Self.step3Rules where ends(suffix) {
            guard r1(suffix.unicodeScalars.count) else { return }
            if suffix == "ative" {
                if r2(5) { s.removeLast(5) }
            } else {
                replaceSuffix(suffix.unicodeScalars.count, with: replacement)
            }
            return
        }
    }

    mutating func step4() {
        for suffix in Self.step4Suffixes where ends(suffix) {
            let length = suffix.unicodeScalars.count
            guard r2(length) else { return }
            if suffix == "ion" {
                if s.count >= 4, s[s.count - 4] == "s" || s[s.count - 4] == "t" { s.removeLast(3) }
            } else {
                s.removeLast(length)
            }
            return
        }
    }

    mutating func step5() {
        if ends("e") {
            if r2(1) || (r1(1) && !shortSyllable(endingAt: s.count - 1)) { s.removeLast() }
        } else if ends("l") {
            if r2(1), s.count >= 2, s[s.count - 2] == "l" { s.removeLast() }
        }
    }

    /// Words whose R1 starts after a fixed prefix (Snowball 3 English).
    static let r1Prefixes = ["gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"]

    static let exception1: [String: String] = [
        "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
        "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli", "singly": "singl",
        "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas", "cosmos": "cosmos", "bias": "bias", "andes": "andes",
    ]

    static let exception2: Set<String> = ["evening", "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"]

    /// Longest suffix first within each ending, as Snowball's `among` picks the longest match.
    static let step2Rules: [(String, String)] = [
        ("ization", "ize"), ("ational", "ate"), ("fulness", "ful"), ("ousness", "ous"), ("iveness", "ive"),
        ("tional", "tion"), ("biliti", "ble"), ("lessli", "less"), ("entli", "ent"), ("ation", "ate"),
        ("alism", "al"), ("aliti", "al"), ("ousli", "ous"), ("iviti", "ive"), ("fulli", "ful"),
        ("enci", "ence"), ("anci", "ance"), ("abli", "able"), ("izer", "ize"), ("ator", "ate"), ("alli", "al"),
        ("ogist", "og"), ("bli", "ble"), ("ogi", "og"), ("li", ""),
    ]

    static let step3Rules: [(String, String)] = [
        ("ational", "ate"), ("tional", "tion"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"), ("ative", ""),
        ("ical", "ic"), ("ness", ""), ("ful", ""),
    ]

    static let step4Suffixes = [
        "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion",
        "al", "er", "ic",
    ]
}
