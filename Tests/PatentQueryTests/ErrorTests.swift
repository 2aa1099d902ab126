import Testing
@testable import PatentQuery

@Suite("Errors: 68300004 with the problem and its position")
struct ErrorTests {
    @Test("each error at the place QUERY.md §8 names", arguments: [
        ("a AND (b OR c)) OR d", "unexpected ')' at 15"),
        ("()", "unexpected ')' at 2"),
        ("a AND", "unexpected end of query at 6"),
        ("", "unexpected end of query at 1"),
        ("   ", "unexpected end of query at 4"),
        ("abc (d OR e", "unbalanced '(' opened at 5"),
        ("TTL:\"car battery", "unbalanced '\"' opened at 5"),
        ("APD:[20150101 TO 20201231", "unbalanced '[' opened at 5"),
        ("XYZ:a", "unknown field XYZ at 1"),
        ("a OR note: x", "unknown field note at 6"),
        ("TTL :x", "unexpected ':' at 5"),
        ("car $W100 bus", "'$W' needs a distance 0..99 at 5"),
        ("car $W bus", "'$W' needs a distance 0..99 at 5"),
        ("car $PRE bus", "'$PRE' needs a distance 0..99 at 5"),
        ("car $FREQ0", "'$FREQ' needs a count 1..50 at 5"),
        ("car $FREQ51", "'$FREQ' needs a count 1..50 at 5"),
        ("car $NEAR5 bus", "unknown operator '$NEAR5' at 5"),
        ("car $WS3 bus", "unknown operator '$WS3' at 5"),
        ("APD:20151301", "invalid date '20151301' at 5"),
        // Found by FuzzQuery: words in a field's parentheses are checked like FIELD:word.
        ("APD:(ba)", "invalid date 'ba' at 6"),
        ("APD:(20200101 OR 2020-13-01)", "invalid date '2020-13-01' at 18"),
        ("TTL:(a OR APD_Y:(2020 OR x))", "invalid year 'x' at 26"),
        ("APD:[20150101 TO 2015-02-30]", "invalid date '2015-02-30' at 18"),
        ("APD_Y:[20x8 TO *]", "invalid year '20x8' at 8"),
        ("TTL:[a TO b]", "field TTL has no ranges at 5"),
        ("[2018 TO 2020]", "a range needs a field that has ranges at 1"),
        ("APD_Y:[2015 2016]", "expected 'TO' in range, found '2016' at 13"),
        ("(a AND b) $W2 c", "AND inside a proximity operand at 4"),
        ("(a b) $W2 c", "AND inside a proximity operand at 4"),
        ("c $W2 (a NOT b)", "NOT inside a proximity operand at 10"),
        ("(NOT a) $W2 c", "NOT inside a proximity operand at 2"),
        ("APD_Y:[2015 TO 2016] $W2 c", "range inside a proximity operand at 7"),
        ("a $FREQ2 $W2 c", "'$FREQ' inside a proximity operand at 3"),
        ("NOT NOT a", "unexpected 'NOT' at 5"),
        ("a NOT NOT b", "unexpected 'NOT' at 7"),
        ("a OR OR b", "unexpected 'OR' at 6"),
        ("AND a", "unexpected 'AND' at 1"),
        ("a TO b", "unexpected 'TO' at 3"),
        ("\"\"", "empty phrase at 1"),
        ("*", "lone '*' at 1"),
        ("a OR **", "lone '*' at 6"),
        ("*car*", "'*' at both ends of '*car*' at 1"),
        ("$W2 a", "unexpected '$W2' at 1"),
        ("a ]", "unexpected ']' at 3"),
        ("汽车 )", "unexpected ')' at 4"),
    ])
    func errors(query: String, message: String) {
        do {
            let tree = try QueryParser.parse(query)
            Issue.record("parsed \(query) as \(tree)")
        } catch {
            #expect(error.message == message)
            #expect(error.code == 68300004)
        }
    }

    @Test("the length limit counts code points and is checked before parsing")
    func lengthLimit() throws {
        let cjk = String(repeating: "电", count: 2_000)
        #expect(try QueryParser.parse(cjk) == word(cjk))
        do {
            _ = try QueryParser.parse(cjk + ")")
            Issue.record("accepted 2,001 characters")
        } catch {
            #expect(error.message == "query longer than 2000 characters at 2001")
        }
    }

    @Test("positions count code points, not bytes or grapheme clusters")
    func codePoints() {
        do {
            _ = try QueryParser.parse("e\u{301}t\u{e9} 電池 )")
            Issue.record("no error")
        } catch {
            #expect(error.position == 9)
        }
    }
}
