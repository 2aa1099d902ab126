import PatentModel

/// Generates patents from a `CorpusModel`, deterministically for a seed.
public struct CorpusGenerator {
    public let model: CorpusModel
    private var random: SplitMix64
    private let cumulative: [Int]
    private var families: [(id: Int, priorities: [DocumentReference])] = []
    private var serial = 0

    /// Patents that join an existing family (same priorities and family id, another office).
    public var familyShare = 0.3
    /// Whether descriptions and claims are written (full text) or only biblio, title and abstract.
    public var fullText = true

    public init(model: CorpusModel, seed: UInt64) {
        self.model = model
        random = SplitMix64(state: seed)
        var running = 0
        cumulative = model.words.map { running += $0.1; return running }
    }

    /// The next patent.
    public mutating func next() -> Patent {
        serial += 1
        let office = weighted(model.offices) ?? "US"
        let kind = weighted(model.kinds[office] ?? []) ?? "A1"
        let number = office == "US" && kind.hasPrefix("A") ? 20_000_000_000 + serial : 1_000_000 + serial
        var patent = Patent(publication: PublicationNumber(office: office, number: String(number), kind: kind)!)
        let year = 1990 + Int(random.next() % 35)
        let month = 1 + Int(random.next() % 12), day = 1 + Int(random.next() % 28)
        let filed = PatentDate(year: year, month: month, day: day)!
        let published = PatentDate(year: min(9999, year + 1 + Int(random.next() % 3)), month: month, day: day)!
        patent.publicationDate = published
        patent.type = PatentType.from(office: office, kind: kind, publicationYear: published.year)
        if patent.type == .grantedInvention { patent.grantDate = published }
        patent.originalLanguage = "en"
        patent.application = DocumentReference(office: office, number: "\(year)\(String(format6(serial)))", date: filed)
        if !families.isEmpty, Double(random.next() % 1000) / 1000 < familyShare {
            let family = families[Int(random.next() % UInt64(families.count))]
            patent.priorities = family.priorities
            patent.docdbFamilyID = String(family.id)
        } else {
            let priority = DocumentReference(office: office, number: "P\(year)\(format6(serial))", date: filed)
            patent.priorities = [priority]
            patent.docdbFamilyID = String(900_000_000 + serial)
            families.append((900_000_000 + serial, [priority]))
            if families.count > 50_000 { families.removeFirst(10_000) }
        }
        patent.titles = [LocalizedText(language: "en", text: capitalised(words(pick(model.titleLengths))))]
        patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [sentences(pick(model.abstractSentences))])]
        if fullText {
            let count = max(1, pick(model.claimCounts))
            patent.claims = [ClaimSet(language: "en", claims: (1...count).map { n in
                let refers = n > 1 && random.next() % 4 != 0 ? [1 + Int(random.next() % UInt64(n - 1))] : []
                let lead = refers.isEmpty ? "A" : "The \(words(1)) of claim \(refers[0]), wherein"
                return Claim(number: n, text: "\(n). \(lead) \(words(pick(model.sentenceLengths) + 5)).", refersTo: refers)
            })]
            patent.descriptions = [Description(language: "en", paragraphs: (0..<max(1, pick(model.descriptionParagraphs))).map { i in
                i % 12 == 0 ? DescriptionParagraph(.heading, words(3).uppercased())
                    : DescriptionParagraph(.paragraph, sentences(pick(model.paragraphSentences)))
            })]
        }
        patent.ipc = distinct(model.ipc, count: 1 + Int(random.next() % 3))
        patent.cpc = distinct(model.cpc, count: 1 + Int(random.next() % 4))
        patent.assignees = distinct(model.assignees, count: 1).map { Party(name: $0) }
        patent.inventors = distinct(model.inventors, count: 1 + Int(random.next() % 3)).map { Party(name: $0) }
        return patent
    }

    /// Up to `count` different items, common ones more often.
    private mutating func distinct(_ items: [String], count: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        var out: [String] = []
        for _ in 0..<count {
            let item = items[zipfIndex(items.count)]
            if !out.contains(item) { out.append(item) }
        }
        return out
    }

    private func format6(_ n: Int) -> String {
        let text = String(n % 1_000_000)
        return String(repeating: "0", count: 6 - text.count) + text
    }

    private mutating func pick(_ values: [Int]) -> Int { values[Int(random.next() % UInt64(values.count))] }

    private mutating func weighted(_ items: [(String, Int)]) -> String? {
        let total = items.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return nil }
        var target = Int(random.next() % UInt64(total))
        for (item, weight) in items {
            if target < weight { return item }
            target -= weight
        }
        return items.last?.0
    }

    /// Skewed choice: early items (the most common ones) come far more often.
    private mutating func zipfIndex(_ count: Int) -> Int {
        let u = Double(random.next() % 1_000_000) / 1_000_000
        return min(count - 1, Int(Double(count) * u * u * u))
    }

    /// Words drawn by their corpus frequency.
    private mutating func words(_ count: Int) -> String {
        guard let total = cumulative.last, total > 0 else { return "patent" }
        return (0..<max(1, count)).map { _ -> String in
            let target = Int(random.next() % UInt64(total))
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > target { high = mid } else { low = mid + 1 }
            }
            return model.words[low].0
        }.joined(separator: " ")
    }

    private mutating func sentences(_ count: Int) -> String {
        (0..<max(1, count)).map { _ in capitalised(words(pick(model.sentenceLengths))) + "." }.joined(separator: " ")
    }

    private func capitalised(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
}

/// SplitMix64: small, fast and deterministic.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    public mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
}
