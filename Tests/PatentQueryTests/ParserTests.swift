import Testing
@testable import PatentQuery

func word(_ text: String) -> QueryNode { .term(Term(.word, text)) }
func phrase(_ text: String) -> QueryNode { .term(Term(.phrase, text)) }
func wildcard(_ text: String) -> QueryNode { .term(Term(.wildcard, text)) }

@Suite("Grammar")
struct GrammarTests {
    @Test("precedence: proximity > NOT > AND > OR")
    func precedence() throws {
        #expect(try QueryParser.parse("a OR b AND NOT c $W2 d")
            == .or([word("a"), .and([word("b"), .not(.proximity(word("c"), .within(2), word("d")))])]))
        #expect(try QueryParser.parse("a AND b OR c") == .or([.and([word("a"), word("b")]), word("c")]))
        #expect(try QueryParser.parse("(a OR b) AND c") == .and([.or([word("a"), word("b")]), word("c")]))
    }

    @Test("operators and field codes are case-insensitive")
    func caseInsensitive() throws {
        #expect(try QueryParser.parse("a and b Or not c") == .or([.and([word("a"), word("b")]), .not(word("c"))]))
        #expect(try QueryParser.parse("ttl:car") == .field("TTL", word("car")))
        #expect(try QueryParser.parse("a $w2 b $pre3 c $ws d $sen e $para f")
            == .proximity(.proximity(.proximity(.proximity(.proximity(word("a"), .within(2), word("b")), .preceding(3), word("c")),
                                                .within(99), word("d")), .sentence, word("e")), .paragraph, word("f")))
    }

    @Test("juxtaposition is AND; NOT forms")
    func andNot() throws {
        #expect(try QueryParser.parse("car battery") == .and([word("car"), word("battery")]))
        #expect(try QueryParser.parse("a NOT b") == .and([word("a"), .not(word("b"))]))
        #expect(try QueryParser.parse("a NOT b NOT c") == .and([word("a"), .not(word("b")), .not(word("c"))]))
        #expect(try QueryParser.parse("NOT a") == .not(word("a")))
        #expect(try QueryParser.parse("NOT a b") == .and([.not(word("a")), word("b")]))
        #expect(try QueryParser.parse("a OR NOT b") == .or([word("a"), .not(word("b"))]))
        #expect(try QueryParser.parse("NOT (NOT a)") == .not(.not(word("a"))))
    }

    @Test("a field scopes the next unit only, with or without a space after the colon")
    func fieldScope() throws {
        #expect(try QueryParser.parse("TTL: car battery") == .and([.field("TTL", word("car")), word("battery")]))
        #expect(try QueryParser.parse("TTL:(car battery)") == .field("TTL", .and([word("car"), word("battery")])))
        #expect(try QueryParser.parse("TTL:\"car battery\"") == .field("TTL", phrase("car battery")))
        #expect(try QueryParser.parse("TTL:(ABST:x)") == .field("ABST", word("x")))
        #expect(try QueryParser.parse("TTL:(ABST:x y)") == .field("TTL", .and([.field("ABST", word("x")), word("y")])))
    }

    @Test("proximity chains nest left; a parenthesised proximity is the same chain")
    func chains() throws {
        let chain = QueryNode.proximity(.proximity(word("a"), .within(2), word("b")), .preceding(3), word("c"))
        #expect(try QueryParser.parse("a $W2 b $PRE3 c") == chain)
        #expect(try QueryParser.parse("(a $W2 b) $PRE3 c") == chain)
        #expect(try QueryParser.parse("(a OR b) $W0 \"c d\"")
            == .proximity(.or([word("a"), word("b")]), .within(0), phrase("c d")))
        #expect(try QueryParser.parse("TTL:a $W5 ABST:b") == .proximity(.field("TTL", word("a")), .within(5), .field("ABST", word("b"))))
    }

    @Test("phrases: wildcards and operators are literal inside quotes")
    func phrases() throws {
        #expect(try QueryParser.parse("\"car* AND OR NOT TO\"") == phrase("car* AND OR NOT TO"))
        #expect(try QueryParser.parse("\u{201C}smart phone\u{201D}") == phrase("smart phone"))
    }

    @Test("wildcard words and $FREQ")
    func wildcardsAndFrequency() throws {
        #expect(try QueryParser.parse("car? car# *car c*r") == .and([wildcard("car?"), wildcard("car#"), wildcard("*car"), wildcard("c*r")]))
        #expect(try QueryParser.parse("TTL:(car $FREQ2)") == .field("TTL", .term(Term(.word, "car", minimumFrequency: 2))))
        #expect(try QueryParser.parse("\"fuel cell\" $FREQ50") == .term(Term(.phrase, "fuel cell", minimumFrequency: 50)))
        #expect(try QueryParser.parse("batt* $FREQ1") == .term(Term(.wildcard, "batt*", minimumFrequency: 1)))
        #expect(try QueryParser.parse("car$W2 bus") == .proximity(word("car"), .within(2), word("bus")))
    }

    @Test("ranges, single dates in both spellings, years")
    func ranges() throws {
        #expect(try QueryParser.parse("APD:[20150101 TO 20201231]") == .field("APD", .range(from: "20150101", to: "20201231")))
        #expect(try QueryParser.parse("PBD:[* TO 2024-12-31]") == .field("PBD", .range(from: nil, to: "20241231")))
        #expect(try QueryParser.parse("APD_Y:[2018 TO *]") == .field("APD_Y", .range(from: "2018", to: nil)))
        #expect(try QueryParser.parse("ISD:2016-02-29") == .field("ISD", word("20160229")))
        // Inside a field's parentheses dates are normalised too (FuzzQuery found them kept as written).
        #expect(try QueryParser.parse("ISD:(2016-02-29 OR 20160301)") == .field("ISD", .or([word("20160229"), word("20160301")])))
        #expect(try QueryParser.parse("pbd:[20200101 to 20210101]") == .field("PBD", .range(from: "20200101", to: "20210101")))
    }

    @Test("CJK and mixed-script terms are words")
    func cjk() throws {
        #expect(try QueryParser.parse("汽车 AND 太阳能电池") == .and([word("汽车"), word("太阳能电池")]))
        #expect(try QueryParser.parse("TTL:リチウムイオン電池 OR lithium-ion") == .or([.field("TTL", word("リチウムイオン電池")), word("lithium-ion")]))
        #expect(try QueryParser.parse("3.5V锂电池") == word("3.5V锂电池"))
        #expect(try QueryParser.parse("IPC:H01M10/052 PN:US10047600B2")
            == .and([.field("IPC", word("H01M10/052")), .field("PN", word("US10047600B2"))]))
    }

    @Test("nested parentheses")
    func nested() throws {
        #expect(try QueryParser.parse("((((a))))") == word("a"))
        #expect(try QueryParser.parse("(a OR (b AND (c OR d)))") == .or([word("a"), .and([word("b"), .or([word("c"), word("d")])])]))
    }

    @Test("every search field of QUERY.md §6 is known")
    func catalogue() throws {
        let codes = "TTL ABST CLMS ICLMS DESC TA TAC TACD MAINF AN ANS ANC IN AT PN APNO PRNO KD AUTHORITY PATENT_TYPE APD APD_Y PBD PBD_Y ISD PRIORITY_DATE IPC CPC FAM_ID IFAM_ID EFAM_ID TTL_ALL ABST_ALL CLMS_ALL TA_ALL TAC_ALL TACD_ALL"
        for code in codes.split(separator: " ") {
            let field = try #require(FieldCatalogue.searchField(String(code)))
            let value = field.kind == .date ? "20200101" : field.kind == .year ? "2020" : "x"
            #expect(try QueryParser.parse("\(code):\(value)") == .field(String(code), word(value)))
        }
        #expect(FieldCatalogue.searchField("AN")?.stemmable == false)
        #expect(FieldCatalogue.searchField("TTL_ALL")?.includesTranslations == true)
        #expect(FieldCatalogue.searchFields.filter(\.allowsRange).map(\.code) == ["APD", "APD_Y", "PBD", "PBD_Y", "ISD", "PRIORITY_DATE"])
    }

    @Test("export fields carry their level and the export types that accept them")
    func exportFields() throws {
        #expect(FieldCatalogue.exportField("desc")?.exportTypes == [.fullText])
        #expect(FieldCatalogue.exportField("CLMS")?.exportTypes == [.pdf, .fullText])
        #expect(FieldCatalogue.exportFields.filter { $0.exportTypes.contains(.fullText) }.map(\.code) == ["PN", "ABST", "CLMS", "DESC"])
        #expect(FieldCatalogue.exportField("PN")?.level == 1)
        #expect(FieldCatalogue.exportField("CLMS")?.level == 3)
        #expect(ExportType.pdf.maximumRows == 1_000)
        #expect(ExportType.xls.maximumRows == 100_000)
    }
}
