import PatentModel
import Testing
@testable import PatentImport

/// Documents in other encodings than UTF-8, made from the shared data by re-encoding
/// (`Tests/ReaderFixtures/encodings`, written with Python's codecs, not iconv): each
/// reads as its UTF-8 original does.
@Suite("Document encodings")
struct EncodingTests {
    func only(_ relative: String, readerOnly: Bool) throws -> Patent {
        let read = try Fixtures.read(relative, readerOnly: readerOnly)
        #expect(read.problems.isEmpty, "\(relative): \(read.problems)")
        return try #require(read.patents.first, "\(relative)")
    }

    @Test("Shift_JIS, EUC-JP, GB18030 and UTF-16 give the same patent as the UTF-8 file", arguments: [
        ("encodings/jp-shift_jis.xml", "cnipa-jpo/jp_example1.xml"),
        ("encodings/jp-euc-jp.xml", "cnipa-jpo/jp_example1.xml"),
        ("encodings/cn-gb18030.xml", "cnipa-jpo/cn_old1.xml"),
        ("encodings/ep-utf-16.xml", "marec/EP1130000B1.xml"),
    ])
    func lossless(encoded: String, original: String) throws {
        let patent = try only(encoded, readerOnly: true)
        let expected = try only(original, readerOnly: false)
        #expect(patent == expected)
        #expect(!patent.titles.isEmpty && !patent.titles.contains { $0.text.contains("\u{FFFD}") })
    }

    @Test("GBK, GB2312, Big5, EUC-KR and ISO-8859-1 titles read as written", arguments: [
        ("encodings/cn-gbk.xml", "一种甘草发酵所得烟用香料及其应用"),
        ("encodings/cn-gb2312.xml", "一种甘草发酵所得烟用香料及其应用"),
        ("encodings/cn-big5.xml", "一種甘草發酵所得菸用香料及其應用"),
        ("encodings/ep-euc-kr.xml", "광학 합성 석영 유리 부재"),
        ("encodings/ep-iso-8859-1.xml", "Optisches synthetisches Quarzglaselement und Verfahren zu dessen Herstellung"),
    ])
    func titles(encoded: String, title: String) throws {
        let patent = try only(encoded, readerOnly: true)
        #expect(patent.titles.map(\.text).contains(title), "\(patent.titles)")
    }

    @Test("the declaration is read from the bytes; an encoding the system lacks is a problem naming it")
    func declaration() {
        #expect(TextEncoding.declaredEncoding(Array("<?xml version=\"1.0\" encoding='EUC-JP'?><a/>".utf8)) == "EUC-JP")
        #expect(TextEncoding.declaredEncoding(Array("<?xml version=\"1.0\"?><a encoding=\"x\"/>".utf8)) == nil)
        #expect(TextEncoding.declaredEncoding(Array("<a/>".utf8)) == nil)
        let unknown = DocumentDecoder.decode(Array("<?xml version=\"1.0\" encoding=\"X-NO-SUCH\"?><a/>".utf8))
        guard case .failure(.unknownFormat(let detail)) = unknown else { Issue.record("\(unknown)"); return }
        #expect(detail.contains("X-NO-SUCH"))
        // Bytes invalid in the declared encoding become U+FFFD; the rest is kept.
        let converted = try? TextEncoding.utf8([UInt8]("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>".utf8) + [0x82, 0xA0, 0xFF, 0x41] + [UInt8]("</a>".utf8))
        #expect(converted.map { String(decoding: $0.bytes, as: UTF8.self).hasSuffix("<a>あ\u{FFFD}A</a>") } == true)
        #expect(converted?.invalid == 1)
        // Circled numbers (common in Japanese claims) are in what Shift_JIS files hold.
        let circled = try? TextEncoding.utf8([UInt8]("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>".utf8) + [0x87, 0x40] + [UInt8]("</a>".utf8))
        #expect(circled.map { String(decoding: $0.bytes, as: UTF8.self).hasSuffix("<a>①</a>") } == true)
    }
}
