import PatentTestSupport
import Testing
@testable import PatentModel

@Suite("Publication numbers")
struct PublicationNumberTests {
    @Test("parts are normalised and leading zeros dropped", arguments: [
        ("US", "07158817", "B2", "US7158817B2"),
        ("us", "10,047,600", "b2", "US10047600B2"),
        ("EP", "EP2906782", "A2", "EP2906782A2"),
        ("US", "D0920344", "S", "USD920344S"),
        ("US", "2014102795", "A1", "US20140102795A1"),
        ("CN", "104968889", "A", "CN104968889A"),
    ])
    func parts(office: String, number: String, kind: String, expected: String) throws {
        let pn = try #require(PublicationNumber(office: office, number: number, kind: kind))
        #expect(pn.normalized == expected)
    }

    @Test("complete numbers are parsed", arguments: [
        ("US10047600B2", "US", "10047600", "B2"),
        ("US-10047600-B2", "US", "10047600", "B2"),
        ("EP 2 906 782 A2", "EP", "2906782", "A2"),
        ("USD920344S", "US", "D920344", "S"),
        ("US7158817", "US", "7158817", ""),
        ("WO2014059282A3", "WO", "2014059282", "A3"),
    ])
    func parsing(text: String, office: String, number: String, kind: String) throws {
        let pn = try #require(PublicationNumber(parsing: text))
        #expect(pn.office == office)
        #expect(pn.number == number)
        #expect(pn.kind == kind)
    }

    @Test func rejectsNumbersWithoutOfficeOrSerial() {
        #expect(PublicationNumber(office: "", number: "123", kind: "A") == nil)
        #expect(PublicationNumber(office: "US", number: "--", kind: "A") == nil)
        #expect(PublicationNumber(parsing: "12345") == nil)
    }

    @Test("application keys ignore check digits, prefixes and punctuation")
    func applicationKeys() {
        #expect(NumberNormalizer.applicationKey(office: "EP", number: "13196195.5") == "EP13196195")
        #expect(NumberNormalizer.applicationKey(office: "CN", number: "202111286633.X") == "CN202111286633")
        #expect(NumberNormalizer.applicationKey(office: "US", number: "14/168,236") == "US14168236")
        #expect(NumberNormalizer.applicationKey(office: "EP", number: "EP13844704") == "EP13844704")
        #expect(NumberNormalizer.applicationKey(office: "JP", number: "2000058810") == "JP2000058810")
        #expect(NumberNormalizer.applicationKey(office: " ep ", number: " \t 13196195.5\u{3000}") == "EP13196195")
    }

    /// (office, number as written, key) — original, DOCDB and epodoc spellings per office.
    static let spellings: [(String, String, String)] = [
        ("US", "61/713,164", "US61713164"), ("US", "US201261713164P", "US61713164"), ("US", "201261713164", "US61713164"),
        ("US", "US61713164", "US61713164"), ("US", "14/168,236", "US14168236"), ("US", "201414168236A", "US14168236"),
        ("US", "08/123,456", "US8123456"), ("US", "199708123456A", "US8123456"), ("US", "713,164", "US713164"),
        ("EP", "13196195.5", "EP13196195"), ("EP", "EP20130196195", "EP13196195"), ("EP", "13196195A", "EP13196195"),
        ("EP", "EP19790100123", "EP79100123"),
        ("JP", "2017-187096", "JP2017187096"), ("JP", "JP2017187096A", "JP2017187096"), ("JP", "JP20170187096", "JP2017187096"),
        ("JP", "H11-123456", "JP1999123456"), ("JP", "S63-012345", "JP1988012345"), ("JP", "2000058810", "JP2000058810"),
        ("KR", "10-2013-0123456", "KR20130123456"), ("KR", "KR20130123456A", "KR20130123456"), ("KR", "20-2013-0123456", "KR20130123456"),
        ("CN", "201310123456.7", "CN201310123456"), ("CN", "CN201310123456A", "CN201310123456"), ("CN", "202111286633.X", "CN202111286633"),
        ("WO", "PCT/US2013/064470", "WOUS2013064470"), ("US", "US2013064470W", "WOUS2013064470"), ("WO", "WO2013US64470", "WOUS2013064470"),
        ("WO", "PCT/US97/12345", "WOUS1997012345"), ("US", "9712345W", "WOUS1997012345"), ("WO", "WOUS2013064470", "WOUS2013064470"),
        ("IT", "BG2002A000039", "ITBG2002A000039"), ("DE", "10 2013 012 345.6", "DE102013012345"), ("DE", "DE102013012345A", "DE102013012345"),
    ]

    @Test("one key per application number: original, DOCDB and epodoc spellings of every office meet", arguments: spellings)
    func canonicalApplicationKeys(office: String, number: String, key: String) {
        #expect(NumberNormalizer.applicationKey(office: office, number: number) == key)
        // A key is its own key (a query may be written as one).
        #expect(NumberNormalizer.applicationKey(office: String(key.prefix(2)), number: String(key.dropFirst(2))) == key)
    }

    @Test("DOCDB's kind W beside a number makes it a PCT application filed at that office")
    func pctByKind() {
        #expect(DocumentReference(office: "US", number: "2013064552", kind: "W").key == "WOUS2013064552")
        #expect(DocumentReference(office: "US", number: "US2013064552", kind: "W").key == "WOUS2013064552")
        #expect(DocumentReference(office: "US", number: "2013064552", kind: "A").key == "US2013064552")
        #expect(DocumentReference(office: "WO", number: "PCT/US2013/064552").key == "WOUS2013064552")
    }

    @Test("ASCII numbers take a byte path that compacts them as the code-point path does")
    func asciiCompaction() {
        for text in randomStrings(5_000, from: " aZz09-/.,#\t()xX", maxLength: 15, seed: 3) {
            #expect(NumberNormalizer.compact(text) == NumberNormalizer.compactScalars(text), "\(text)")
        }
        #expect(NumberNormalizer.compact("us　０７１５") == "US0715", "full-width digits become ASCII")
    }
}

@Suite("Dates")
struct PatentDateTests {
    @Test func parsesOfficeSpellings() throws {
        #expect(PatentDate("20211019")?.value == 20211019)
        #expect(PatentDate("2021-10-19")?.value == 20211019)
        #expect(PatentDate("2021-05-25T00:00:00Z")?.value == 20210525)
        #expect(PatentDate("2020/02/29")?.value == 20200229)
        #expect(try #require(PatentDate("19991231")).iso == "1999-12-31")
    }

    @Test("invalid dates are rejected", arguments: ["00000000", "20210230", "20190229", "2021131", "202101011", "abc", "20211300"])
    func invalid(text: String) {
        #expect(PatentDate(text) == nil)
    }

    @Test func ordersLikeCalendar() throws {
        #expect(try #require(PatentDate("19991231")) < #require(PatentDate("20000101")))
    }
}

@Suite("Languages")
struct LanguageTests {
    @Test func normalisesSourceAndPatSnapCodes() {
        #expect(Language.normalise("EN") == "en")
        #expect(Language.normalise("CN") == "zh")
        #expect(Language.normalise("jp") == "ja")
        #expect(Language.normalise("kr") == "ko")
        #expect(Language.normalise("ja-JP") == "ja")
        #expect(Language.normalise("") == nil)
        #expect(Language.fromPatSnap("cn") == "zh")
    }
}

@Suite("Granted kinds and issue dates (QUERY.md §9 ISD)")
struct GrantKindTests {
    @Test("every granted kind of each office has an issue date; applications, reports and WO do not",
          arguments: [
              ("US", "B1", true), ("US", "B2", true), ("US", "E", true), ("US", "E1", true), ("US", "S", true), ("US", "S1", true),
              ("US", "P2", true), ("US", "P3", true), ("US", "P", true), ("US", "P1", false), ("US", "P4", false),
              ("US", "A1", false), ("US", "A2", false), ("US", "H", false),
              ("EP", "B1", true), ("EP", "B2", true), ("EP", "B3", true), ("EP", "A1", false), ("EP", "A3", false),
              ("CN", "B", true), ("CN", "C", true), ("CN", "U", true), ("CN", "Y", true), ("CN", "S", true), ("CN", "A", false),
              ("JP", "B2", true), ("JP", "U", true), ("JP", "Y2", true), ("JP", "S", true), ("JP", "A", false),
              ("KR", "B1", true), ("KR", "Y1", true), ("KR", "S", true), ("KR", "U", false), ("KR", "A", false),
              ("WO", "A1", false), ("WO", "A3", false), ("DE", "B3", true), ("DE", "C2", true), ("DE", "U1", true), ("DE", "A1", false),
          ])
    func grantKinds(office: String, kind: String, granted: Bool) {
        #expect(PatentType.isGrant(office: office, kind: kind) == granted, "\(office) \(kind)")
    }

    @Test("US kind A is a grant before 2001 and an application from 2001")
    func usKindA() {
        #expect(PatentType.isGrant(office: "US", kind: "A", publicationYear: 1976))
        #expect(!PatentType.isGrant(office: "US", kind: "A", publicationYear: 2001))
    }

    @Test("ISD is the source's grant date, else a grant's publication date; never an application's")
    func issueDate() {
        var design = Patent(publication: PublicationNumber(parsing: "USD920344S")!)
        design.publicationDate = PatentDate("20210525")
        design.type = .design
        #expect(design.issueDate == PatentDate("20210525"))
        var granted = Patent(publication: PublicationNumber(parsing: "EP1130000B1")!)
        granted.publicationDate = PatentDate("20051228")
        granted.grantDate = PatentDate("20051220")
        #expect(granted.issueDate == PatentDate("20051220"))
        var application = Patent(publication: PublicationNumber(parsing: "KR20200001234U")!)
        application.publicationDate = PatentDate("20200110")
        application.grantDate = PatentDate("20200110")
        #expect(application.issueDate == nil)
    }
}
