import Foundation
import HummingbirdTesting
import PatentIngest
import PatentModel
import PatentSearch
import PatentStore
import PatentTasks
import PatentTestSupport
import Testing
import ZIPFoundation
@testable import PatentHTTP

/// pdf exports (API.md "Changes"): one document per patent — the office's original PDF when
/// the repository holds one (imported from files named by publication number, also inside
/// ZIPs), else a rendering of the whole record whatever `fields` says beyond PN. Read back
/// with pdftotext.
@Suite struct PDFExportTests {
    /// Text without whitespace, so line wrapping does not matter.
    func squeezed(_ text: String) -> String { String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)) }

    @Test("originals are imported from PN-named files and ZIPs and exported as they are; other patents are rendered whole")
    func originalsAndRenderings() async throws {
        let originals = try temporaryDirectory("pdf-original-files")
        let loose = minimalPDF(text: "Original document of US9291047B2")
        try Data(loose).write(to: URL(fileURLWithPath: originals + "/US9291047B2.pdf"))
        try Data(minimalPDF(text: "not a publication")).write(to: URL(fileURLWithPath: originals + "/drawing-sheet.pdf"))
        let zipped = minimalPDF(text: "Original document of EP2906782A2")
        let archive = try Archive(url: URL(fileURLWithPath: originals + "/bundle.zip"), accessMode: .create)
        try archive.addEntry(with: "pdfs/EP2906782A2.pdf", type: .file, uncompressedSize: Int64(zipped.count)) { position, size in
            Data(zipped[Int(position)..<Int(position) + size])
        }
        let corpus = try FixtureCorpus("pdf-originals", importing: [originals])
        let (store, report) = (corpus.store, corpus.report)
        #expect(Set(report.originals.map(\.pn)) == ["US9291047B2", "EP2906782A2"])
        #expect(report.skipped.isEmpty, "\(report.skipped)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: try #require(store.originalPDF("US9291047B2")))) == Data(loose))
        let server = try TestServer(store: store, search: corpus.search)
        try await server.run { client in
            let created = try await client.export(
                #"{"query_text": "PN:US9291047B2 OR PN:EP2906782A2 OR PN:US11147202B2", "fields": "PN", "export_type": "pdf", "rows": 10}"#)
            let id = try #require(created.data["task_id"] as? String, "\(created.json)")
            server.tasks.waitUntilIdle()
            let url = try #require(try await client.get("/patent-search/task?task_id=\(id)").data["url"] as? String)
            let zip = try await client.execute(uri: String(url.dropFirst("http://patents.test".count)), method: .get) { Data(buffer: $0.body) }
            let folder = try temporaryDirectory("pdf-export")
            try zip.write(to: URL(fileURLWithPath: folder + "/export.zip"))
            _ = try run("/usr/bin/unzip", ["-q", folder + "/export.zip", "-d", folder])
            func text(_ pn: String) throws -> String { squeezed(try run("/usr/bin/pdftotext", ["-enc", "UTF-8", folder + "/\(pn).pdf", "-"])) }
            // The originals, byte for byte.
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/US9291047B2.pdf")) == Data(loose))
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/EP2906782A2.pdf")) == Data(zipped))
            #expect(try text("US9291047B2") == squeezed("Original document of US9291047B2"))
            // A rendering of the whole record, though fields named only PN.
            let patent = try #require(try store.patent("US11147202B2"))
            let rendered = try text("US11147202B2")
            let title = try #require(patent.titles.first?.text)
            #expect(rendered.contains(squeezed(title)))
            let abstract = try #require(patent.abstracts.first?.paragraphs.first)
            #expect(rendered.contains("Abstract") && rendered.contains(squeezed(String(abstract.prefix(80)))))
            let claims = try #require(patent.claims.first?.claims)
            #expect(rendered.contains("Claims") && rendered.contains(squeezed(String(claims[0].text.prefix(80)))), "\(claims[0].text.prefix(80))")
            let paragraph = try #require(patent.descriptions.first?.paragraphs.first { $0.kind == .paragraph })
            #expect(rendered.contains("Description") && rendered.contains(squeezed(String(paragraph.text.prefix(80)))))
            #expect(rendered.contains(squeezed("Publication date")))
        }
    }
}
