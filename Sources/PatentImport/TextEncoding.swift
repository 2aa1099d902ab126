#if canImport(Glibc)
import Glibc
#endif

/// Documents in another encoding than UTF-8 — older JPO, CNIPA, KIPO and EPO data in
/// Shift_JIS, EUC-JP, GB2312/GBK/GB18030, Big5, EUC-KR, ISO-8859-1, and UTF-16 files —
/// are turned into UTF-8 before they are parsed: by their byte-order mark, else by the
/// XML declaration's `encoding=`, through glibc's iconv. A byte sequence invalid in the
/// declared encoding becomes U+FFFD (the rest of the document is kept) and is counted.
enum TextEncoding {
    struct Converted {
        var bytes: [UInt8]
        /// The encoding the document was in (nil: UTF-8 already).
        var encoding: String?
        /// Byte sequences that were not valid in it.
        var invalid = 0
    }

    static func utf8(_ bytes: [UInt8]) throws(ImportProblem) -> Converted {
        if bytes.starts(with: [0xFF, 0xFE]) { return try convert(bytes.dropFirst(2), from: "UTF-16LE") }
        if bytes.starts(with: [0xFE, 0xFF]) { return try convert(bytes.dropFirst(2), from: "UTF-16BE") }
        // UTF-16 without a mark: `<` followed or preceded by a zero byte.
        if bytes.count >= 4, bytes[0] == 0x3C, bytes[1] == 0 { return try convert(bytes[...], from: "UTF-16LE") }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0x3C { return try convert(bytes[...], from: "UTF-16BE") }
        guard let declared = declaredEncoding(bytes) else { return Converted(bytes: bytes) }
        switch declared.uppercased() {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII": return Converted(bytes: bytes)
        default: return try convert(bytes[...], from: declared)
        }
    }

    /// The `encoding` of the XML declaration, read as ASCII from the first bytes.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard let start = bytes.firstIndex(where: { !DocumentSplitter.isBlankByte($0) }), bytes[start...].starts(with: Array("<?xml".utf8)) else { return nil }
        let head = bytes[start..<min(bytes.count, start + 200)]
        guard let end = head.firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let key = Array("encoding".utf8)
        var at = head.startIndex
        while at + key.count <= end, !head[at..<(at + key.count)].elementsEqual(key) { at += 1 }
        guard at + key.count <= end else { return nil }
        var i = at + key.count
        while i < end, head[i] == 0x20 || head[i] == UInt8(ascii: "=") { i += 1 }
        guard i < end, head[i] == UInt8(ascii: "\"") || head[i] == UInt8(ascii: "'") else { return nil }
        let quote = head[i]
        let valueStart = i + 1
        guard let valueEnd = head[valueStart..<end].firstIndex(of: quote), valueEnd > valueStart else { return nil }
        return String(decoding: head[valueStart..<valueEnd], as: UTF8.self)
    }

    /// The converter for a declared name: supersets where data labelled with a narrower
    /// name routinely holds more (GB2312 files with GBK characters; Shift_JIS with the
    /// circled numbers and other JIS X 0213 characters, mapped as JIS does, `〜` as U+301C).
    static func iconvName(_ declared: String) -> String {
        switch declared.uppercased() {
        case "GB2312", "GBK", "CP936", "EUC-CN": return "GB18030"
        case "SHIFT_JIS", "SHIFT-JIS", "SJIS", "X-SJIS": return "SHIFT_JISX0213"
        case "EUC-JP", "EUCJP": return "EUC-JISX0213"
        default: return declared
        }
    }

    /// iconv from `encoding` to UTF-8; an unknown encoding is a problem naming it.
    private static func convert(_ input: ArraySlice<UInt8>, from encoding: String) throws(ImportProblem) -> Converted {
        let name = iconvName(encoding)
        let descriptor = iconv_open("UTF-8", name)
        guard let descriptor, Int(bitPattern: descriptor) != -1 else {
            throw .unknownFormat("(a document in the encoding \(encoding), which this system cannot convert)")
        }
        defer { iconv_close(descriptor) }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3 / 2 + 16)
        var invalid = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var source = Array(input)
        source.withUnsafeMutableBufferPointer { sourceBuffer in
            var inPointer = UnsafeMutableRawPointer(sourceBuffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            var inLeft = sourceBuffer.count
            while inLeft > 0 {
                let (produced, result, failure) = buffer.withUnsafeMutableBufferPointer { out -> (Int, Int, Int32) in
                    var outPointer = UnsafeMutableRawPointer(out.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
                    var outLeft = out.count
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    return (out.count - outLeft, result, errno)
                }
                output.append(contentsOf: buffer[..<produced])
                guard result == -1 else { continue }
                if failure == E2BIG { continue }
                // EILSEQ or EINVAL (cut at the end): one replacement character, skip a byte.
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                invalid += 1
                inPointer = inPointer?.advanced(by: 1)
                inLeft -= 1
            }
        }
        return Converted(bytes: output, encoding: encoding, invalid: invalid)
    }
}
