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

@Suite("Splitting streams into documents")
struct DocumentSplitterTests {
    func split(_ text: String, chunk: Int = 7) -> [String] {
        var splitter = DocumentSplitter()
        var documents: [[UInt8]] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            documents += splitter.push(bytes[i..<min(i + chunk, bytes.count)])
            i += chunk
        }
        if let last = splitter.finish() { documents.append(last) }
        return documents.map { String(decoding: $0, as: UTF8.self) }
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
                case .finishedFile: break
                }
            }
            #expect(count == 25, "\(path)")
            #expect(problems.isEmpty)
        }
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
