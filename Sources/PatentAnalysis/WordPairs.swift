/// Word pairs (Lucene's CommonGrams): where two very common words follow each other in a
/// text field, the index also holds the pair as one term ("of the") at the first word's
/// position. A phrase of common words then reads one short postings list instead of
/// merging the positions of two lists that hold nearly every document; the pair's
/// frequency in a document is exactly the phrase's (`PhraseMatcher`), so counts and
/// scores do not change.
///
/// Only pairs of two common words are indexed (Lucene also pairs a common word with any
/// word): phrases such as "method of" already lead with a short list, and the index grows
/// by the pairs alone (a few percent of a field's positions).
public enum WordPairs {
    /// The words paired: Lucene's English stop words, and the words patent claims and
    /// abstracts repeat most ("said", "wherein", "at least one", "one or more").
    public static let commonWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with", "said", "wherein", "least", "one", "more", "which", "from", "each", "its", "has", "have",
        "can", "may", "being", "been", "other",
    ]

    /// Between the two words of a pair term: no token holds it, so a pair never equals a
    /// word, and vocabulary scans (wildcards) skip terms holding it.
    public static let separator: UInt8 = 0x20

    private static let commonBytes: Set<[UInt8]> = Set(commonWords.map { Array($0.utf8) })

    public static func isCommon(_ word: UnsafeRawBufferPointer) -> Bool { commonBytes.contains(Array(word)) }

    public static func isCommon(_ word: String) -> Bool { commonWords.contains(word) }

    /// The pair term of two adjacent words.
    public static func term(_ first: String, _ second: String) -> String { first + " " + second }

    /// Whether a dictionary term is a pair rather than a word.
    public static func isPair(_ term: UnsafeRawBufferPointer) -> Bool { term.contains(separator) }
}
