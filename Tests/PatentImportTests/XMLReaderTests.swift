import Foundation
import Testing
import ZIPFoundation
@testable import PatentImport

@Suite("XML reader")
struct XMLReaderTests {
    @Test func resolvesEntitiesFromTheBuiltInTable() throws {
        let root = try XMLReader.parse("<p>a &lsqb;1&rsqb; &agr; &#x3b2; &#947; &amp; &unknownthing; &ldquo;x&rdquo;</p>")
        #expect(root.rawText == "a [1] α β γ & &unknownthing; \u{201C}x\u{201D}")
    }

    @Test func readsInternalSubsetEntitiesAndSkipsTheDoctype() throws {
        let root = try XMLReader.parse("""
            <?xml version="1.0"?><!DOCTYPE a SYSTEM "a.dtd" [ <!ENTITY co "Company"> <!ENTITY img SYSTEM "x.tif" NDATA TIF> ]>
            <a x='1' ns:y="2"><!-- c --><b><![CDATA[<raw>]]></b>&co;</a>
            """)
        #expect(root.name == "a")
        #expect(root[attribute: "x"] == "1")
        #expect(root[attribute: "y"] == "2")
        #expect(root.child("b")?.rawText == "<raw>")
        #expect(root.text == "<raw>Company")
    }

    @Test func stripsNamespacePrefixes() throws {
        let root = try XMLReader.parse("<ops:world-patent-data xmlns:ops='x'><exch:doc/></ops:world-patent-data>")
        #expect(root.name == "world-patent-data")
        #expect(root.elements.map(\.name) == ["doc"])
    }

    @Test func collapsesWhitespaceIncludingUnicodeSpaces() throws {
        let root = try XMLReader.parse("<p>  a\n\t b\u{3000}c\u{00A0}d<br/>e  </p>")
        #expect(root.text == "a b c d e")
    }

    @Test("errors name the problem and the place", arguments: [
        ("<a><b></a>x", "content after the root element"),
        ("<a><b>", "unexpected end of document inside 'b'"),
        ("<a x=1/>", "expected a quoted value for attribute 'x'"),
        ("<a></c>", "end tag 'c' does not match 'a'"),
        ("text", "expected '<'"),
        ("", "no root element"),
    ])
    func errors(input: String, message: String) {
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(input) }
        do {
            _ = try XMLReader.parse(input)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try XMLReader.parse("<a>\n  <b>\n</c></a>")
            Issue.record("no error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 3)
        }
    }

    @Test("an end tag closes unclosed SGML-style EMPTY elements")
    func sgmlRecovery() throws {
        let root = try XMLReader.parse("<a><b><c>x<EMPTY></b><d/></a>")
        #expect(root.elements.map(\.name) == ["b", "d"])
        #expect(root.child("b")?.text == "x")
    }
}

@Suite("Entity bombs")
struct EntityLimitTests {
    /// Seven levels of ten references each: 10⁷ copies of "lol" if expanded.
    @Test func billionLaughsIsRefusedAtTheEntityLimit() {
        var declarations = #"<!ENTITY l0 "lol">"#
        for level in 1...7 {
            declarations += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        let document = "<?xml version=\"1.0\"?><!DOCTYPE a [\(declarations)]><a>&l7;</a>"
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(document) }
        do {
            _ = try XMLReader.parse(document)
        } catch {
            #expect(error.message == "entity 'l5' expands beyond 65536 bytes")
        }
    }

    /// One 32 KB entity referenced 40 times in a small file: 1.3 MB of text.
    @Test func manyReferencesAreRefusedAtTheDocumentLimit() {
        let value = String(repeating: "x", count: 32 * 1024)
        let document = "<!DOCTYPE a [<!ENTITY big \"\(value)\">]><a><t>" + String(repeating: "&big;", count: 40) + "</t></a>"
        do {
            _ = try XMLReader.parse(document)
            Issue.record("expected the expansion limit")
        } catch {
            #expect(error.message == "references to declared entities expand beyond 1048576 bytes")
        }
        // Within the limits entities still work.
        let fine = "<!DOCTYPE a [<!ENTITY co \"Company\">]><a>&co; &co;&amp;</a>"
        #expect((try? XMLReader.parse(fine))?.text == "Company Company&")
    }
}

@Suite("Splitting streams into documents")
struct DocumentSplitterTests {
    /// The documents as text; a dropped oversized one as `<oversized>`.
    func split(_ text: String, chunk: Int = 7, maximum: Int = DocumentSplitter.defaultMaximumDocumentBytes) -> [String] {
        var splitter = DocumentSplitter(maximumDocumentBytes: maximum)
        var pieces: [DocumentSplitter.Piece] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            pieces += splitter.push(bytes[i..<min(i + chunk, bytes.count)])
            i += chunk
        }
        if let last = splitter.finish() { pieces.append(last) }
        return pieces.map { piece in
            switch piece {
            case .document(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .oversized: return "<oversized>"
            }
        }
    }

    @Test func anOversizedDocumentIsDroppedAndTheNextOneKept() {
        let big = "<?xml version=\"1.0\"?>\n<a>" + String(repeating: "x", count: 500) + "</a>\n"
        let small = "<?xml version=\"1.0\"?>\n<b/>\n"
        #expect(split(small + big + small, chunk: 64, maximum: 200) == [small, "<oversized>", small])
        // Without boundaries (JSON, unknown bytes): reported once, nothing more is held.
        #expect(split("{\"a\": \"" + String(repeating: "y", count: 5_000) + "\"}", chunk: 64, maximum: 200) == ["<oversized>"])
        #expect(split(String(repeating: "\0", count: 5_000), chunk: 100, maximum: 200) == ["<oversized>"])
    }

    @Test func repeatedDoctypesAreScannedOnce() {
        // 1 MB of DOCTYPEs without a root: each once made the splitter rescan the whole
        // buffer for a root element (360 KB took 4 s). Now each byte is searched once.
        let bytes = Array((String(repeating: "<!DOCTYPE a>", count: 90_000) + "<a/>").utf8)
        var splitter = DocumentSplitter()
        var pieces: [DocumentSplitter.Piece] = []
        for start in stride(from: 0, to: bytes.count, by: 65_536) {
            pieces += splitter.push(bytes[start..<min(bytes.count, start + 65_536)])
        }
        #expect(pieces.isEmpty, "no root yet: no boundary")
        #expect(splitter.searched <= bytes.count, "searched \(splitter.searched) bytes for a root in \(bytes.count)")
        #expect(splitter.searched > bytes.count / 2)
        #expect(splitter.finish() == .document(bytes))
    }

    @Test func concatenatedXMLDocuments() {
        let docs = split("<?xml version=\"1.0\"?>\n<a/>\n<?xml version=\"1.0\"?>\n<b/>\n")
        #expect(docs == ["<?xml version=\"1.0\"?>\n<a/>\n", "<?xml version=\"1.0\"?>\n<b/>\n"])
    }

    @Test func stylesheetInstructionIsNoBoundary() {
        let docs = split("<?xml version=\"1.0\"?><?xml-stylesheet href=\"x\"?><a/>")
        #expect(docs.count == 1)
    }

    @Test func doctypeStartsADocumentOnlyAfterARoot() {
        let docs = split("<!DOCTYPE PATDOC [ ]><PATDOC>1</PATDOC>\n<!DOCTYPE PATDOC [ ]><PATDOC>2</PATDOC>")
        #expect(docs.count == 2)
        #expect(split("<?xml version=\"1.0\"?>\n<!DOCTYPE a><a/>").count == 1)
    }

    @Test func byteOrderMarkAloneIsNoDocument() {
        #expect(split("\u{FEFF}<?xml version=\"1.0\"?><a/>").count == 1)
    }

    @Test func apsRecordsSplitAtPATN() {
        let docs = split("PATN\nWKU  039327094\nTTL  A\nPATN\nWKU  039373754\nTTL  B\n")
        #expect(docs.count == 2)
        #expect(docs[1].hasPrefix("PATN\nWKU  039373754"))
    }

    @Test func tsvLinesGroupByPublication() {
        let docs = split("EP\t1\tA1\t1994-06-08\ten\tTITLE\tX\nEP\t1\tA1\t1994-06-08\tde\tTITLE\tY\nEP\t2\tA1\t1994-06-08\ten\tTITLE\tZ\n")
        #expect(docs.count == 2)
    }

    @Test func jsonIsOneDocument() {
        #expect(split("{\"a\": \"<?xml \"}").count == 1)
    }
}

@Suite("Inputs: folders, ZIP and gzip")
struct DocumentSourceTests {
    @Test func gzipAndZipInputsGiveTheSameDocuments() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patents-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = Fixtures.path("uspto-ice/ipg050104-bundle.xml")
        let gz = directory.appendingPathComponent("bundle.xml.gz").path
        let zip = directory.appendingPathComponent("bundle.zip").path
        try run("/bin/sh", ["-c", "gzip -c '\(source)' > '\(gz)'"])
        let archive = try Archive(url: URL(fileURLWithPath: zip), accessMode: .create)
        try archive.addEntry(with: "ipg/bundle.xml", fileURL: URL(fileURLWithPath: source), compressionMethod: .deflate)
        for path in [gz, zip] {
            var count = 0
            var problems: [String] = []
            try DocumentSource(paths: [path]).forEach { event in
                switch event {
                case .document(let document):
                    if case .success = DocumentDecoder.decode(document.bytes) { count += 1 } else { problems.append(document.origin) }
                case .unreadable(let origin, let reason): problems.append("\(origin): \(reason)")
                case .finishedFile, .originalPDF: break
                }
            }
            #expect(count == 25, "\(path)")
            #expect(problems.isEmpty)
        }
    }

    /// A gzip bomb: 64 MB of zeros in a ~64 KB file. Inflated in 1 MB pieces and cut at
    /// the document limit, it is reported, never held whole.
    @Test func aGzipBombIsSkippedNamingTheLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patents-bomb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bomb = directory.appendingPathComponent("zeros.xml.gz").path
        try run("/bin/sh", ["-c", "head -c 67108864 /dev/zero | gzip -c > '\(bomb)'"])
        var source = DocumentSource(paths: [bomb])
        source.maximumDocumentBytes = 4 << 20
        var events: [String] = []
        try source.forEach { event in
            switch event {
            case .document(let document): events.append("document \(document.bytes.count)")
            case .unreadable(_, let reason): events.append(reason)
            case .finishedFile: events.append("finished")
            case .originalPDF(let pn, _, _): events.append("original \(pn)")
            }
        }
        #expect(events.count == 2)
        #expect(events.first?.hasPrefix("document larger than the 4 MB limit (") == true, "\(events)")
        #expect(events.last == "finished")
    }

    @Test func missingAndCorruptInputsAreReportedNotFatal() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("patents-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let badGzip = directory.appendingPathComponent("bad.xml.gz").path
        let badZip = directory.appendingPathComponent("bad.zip").path
        try Data("not gzip at all".utf8).write(to: URL(fileURLWithPath: badGzip))
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: badZip))
        var unreadable: [String] = []
        try DocumentSource(paths: [badGzip, badZip, directory.appendingPathComponent("absent.xml").path]).forEach { event in
            if case .unreadable(let origin, _) = event { unreadable.append((origin as NSString).lastPathComponent) }
        }
        #expect(unreadable == ["bad.xml.gz", "bad.zip", "absent.xml"])
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

@Suite("XML recovery (libxml2's recover mode)")
struct XMLRecoveryTests {
    @Test("what cannot be markup is text, stray end tags are skipped, open elements close at the end; each repair is told",
          arguments: [
              ("<doc><heading><First Embodiment</heading><p>x</p></doc>", "<First Embodimentx", 1),
              ("<doc><p>a</maths> b</p></doc>", "a b", 1),
              ("<doc><p>a<b>bold", "abold", 1),
              ("<doc><p>a &undeclared; b</p></doc>", "a &undeclared; b", 0),
              ("<doc><p>x</p></doc> trailing", "x", 1),
          ])
    func recovers(input: String, text: String, repairs: Int) throws {
        let (root, found) = try XMLReader.parseRecovering(Array(input.utf8))
        #expect(root.text == text)
        #expect(found.count == repairs, "\(found)")
        if repairs > 0 { #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(input) } }
    }

    @Test("a repair names its line and column")
    func repairPlace() throws {
        let (_, repairs) = try XMLReader.parseRecovering(Array("<doc>\n<heading>\n  <First Embodiment</heading></doc>".utf8))
        #expect(repairs.map(\.line) == [3] && repairs.map(\.column) == [3])
    }

    @Test("what nothing mends still fails: no root element")
    func unmendable() {
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parseRecovering(Array("just text".utf8)) }
    }
}
