/// Language codes: the store keeps ISO 639-1 codes in lower case (`en`, `zh`, `ja`);
/// PatSnap's export parameters use `cn`, `jp`, `kr` for Chinese, Japanese, Korean.
public enum Language {
    /// Normalises a code from any source (`EN`, `zh`, `CN`, `jp`, `ja-JP`) to ISO 639-1.
    public static func normalise(_ code: String?) -> String? {
        guard let code else { return nil }
        let lower = String(code.lowercased().prefix { $0.isLetter })
        guard lower.count >= 2 else { return nil }
        switch lower {
        // Declared as unknown, undetermined or none (MAREC's "XX", ISO 639-2's und/zxx/
        // mis/mul): not a declaration at all (QUERY.md §9).
        case "xx", "und", "zxx", "mis", "mul": return nil
        case "cn", "chi", "zho": return "zh"
        case "jp", "jpn": return "ja"
        case "kr", "kor": return "ko"
        case "eng": return "en"
        case "ger", "deu": return "de"
        case "fre", "fra": return "fr"
        default: return String(lower.prefix(2))
        }
    }

    /// The ISO 639-1 code for a PatSnap `lang`/`trans_lang` value (`cn` → `zh`).
    public static func fromPatSnap(_ code: String) -> String { normalise(code) ?? code }
}
