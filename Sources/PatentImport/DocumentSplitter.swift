import Foundation

/// Cuts a byte stream into documents, holding one document at a time.
///
/// - XML: USPTO weekly bundles are several documents concatenated in one file
///   (700 MB a week); every XML declaration (`<?xml` and a space, not
///   `<?xml-stylesheet`) after the first byte starts a new document, and so does a
///   `<!DOCTYPE` once the current document has begun its root element (old USPTO
///   grant bundles concatenate documents without XML declarations).
/// - USPTO APS "green book" text: every `PATN` line starts a document.
/// - EPO full-text TSV: consecutive lines of one publication (office, number, kind)
///   form a document.
/// - JSON: a stream whose first non-blank byte is `{` or `[` is one document.
///
/// A document larger than `maximumDocumentBytes` is not held: the splitter reports it
/// once (``Piece/oversized(bytes:limit:)``) and drops its bytes until the next boundary, so a
/// bundle of one huge record, or a gzip bomb, costs bounded memory. Every scan is
/// incremental: no byte is looked at again as chunks arrive.
public struct DocumentSplitter {
    enum Mode { case xml, json, aps, tsv, whole }

    enum Piece: Equatable {
        case document([UInt8])
        /// A document over `limit` bytes was dropped; `bytes` had been seen when it was.
        case oversized(bytes: Int, limit: Int)
    }

    /// 256 MB: more than any office's single publication (sequence listings included).
    public static let defaultMaximumDocumentBytes = 256 << 20
    let maximumDocumentBytes: Int

    private var buffer: [UInt8] = []
    private var scanFrom = 1
    private(set) var mode: Mode?
    /// Dropping an oversized document until the next boundary.
    private var skipping = false
    /// Where the current document's landmark is, once seen, and how far the search for
    /// it has gone. The landmark is what a document must hold before the next boundary
    /// can end it: its root element in XML (`<!DOCTYPE` only starts a document after a
    /// root), its `WKU` line in APS (before the next `PATN`).
    private var landmarkAt: Int?
    private var landmarkScanFrom = 0
    /// Bytes the landmark search has looked at (tests prove each is looked at once).
    private(set) var searched = 0

    init(maximumDocumentBytes: Int = defaultMaximumDocumentBytes) {
        self.maximumDocumentBytes = maximumDocumentBytes
    }
    private static let marker: [UInt8] = Array("<?xml".utf8)
    private static let doctype: [UInt8] = Array("<!DOCTYPE".utf8)
    private static let patn: [UInt8] = Array("\nPATN".utf8)

    /// Appends a chunk and returns the documents it completes.
    mutating func push(_ chunk: some Collection<UInt8>) -> [Piece] {
        buffer.append(contentsOf: chunk)
        if mode == nil { mode = Self.detect(buffer) }
        var pieces: [Piece] = []
        while let boundary = nextBoundary() {
            let document = Array(buffer[0..<boundary])
            cut(boundary)
            if skipping {
                skipping = false
            } else if !isBlank(document) {
                pieces.append(.document(document))
            }
        }
        if buffer.count > maximumDocumentBytes {
            if !skipping { pieces.append(.oversized(bytes: buffer.count, limit: maximumDocumentBytes)) }
            skipping = true
            // Keep only what a boundary marker cut in two could need.
            let keep = 16
            cut(buffer.count - keep)
            scanFrom = 0
            // The dropped document had opened its root: a `<!DOCTYPE` may end it.
            if mode == .xml { landmarkAt = 0 }
        }
        return pieces
    }

    /// Returns the last document, if any bytes remain.
    mutating func finish() -> Piece? {
        defer { buffer = []; scanFrom = 1; mode = nil; skipping = false; resetLandmark() }
        if skipping { return nil }
        return isBlank(buffer) ? nil : .document(buffer)
    }

    /// Drops the first `count` bytes: the scans start again on what remains.
    private mutating func cut(_ count: Int) {
        buffer.removeSubrange(0..<count)
        scanFrom = 1
        resetLandmark()
    }

    private mutating func resetLandmark() {
        landmarkAt = nil
        landmarkScanFrom = 0
    }

    /// The format family, once enough bytes are there to tell.
    static func detect(_ bytes: [UInt8]) -> Mode? {
        guard let start = bytes.firstIndex(where: { !isBlankByte($0) }) else { return nil }
        let first = bytes[start]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return .json }
        if first == UInt8(ascii: "<") { return .xml }
        guard bytes.count - start >= 4 else { return nil }
        let head = bytes[start..<min(bytes.count, start + 200)]
        if head.starts(with: Array("PATN".utf8)) || head.starts(with: Array("HHHHHT".utf8)) { return .aps }
        let office = head.prefix(2)
        if office.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }), head.dropFirst(2).first == 0x09 { return .tsv }
        return .whole
    }

    private mutating func nextBoundary() -> Int? {
        switch mode {
        case .xml: return nextXMLBoundary()
        case .aps: return nextAPSBoundary()
        case .tsv: return nextTSVBoundary()
        case .json, .whole, .none: return nil
        }
    }

    private mutating func nextXMLBoundary() -> Int? {
        let marker = Self.marker
        guard buffer.count > marker.count else { return nil }
        var i = scanFrom
        let last = buffer.count - marker.count - 1
        while i <= last {
            // Jump to the next '<' with memchr.
            guard let next = buffer.withUnsafeBufferPointer({ raw -> Int? in
                guard let found = memchr(raw.baseAddress! + i, Int32(UInt8(ascii: "<")), last + 1 - i) else { return nil }
                return raw.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }) else { break }
            i = next
            if buffer[i] == marker[0] && buffer[i + 1] == marker[1] && buffer[i + 2] == marker[2]
                && buffer[i + 3] == marker[3] && buffer[i + 4] == marker[4] {
                let next = buffer[i + 5]
                if next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D { return i }
            }
            if buffer[i] == UInt8(ascii: "<"), buffer[i + 1] == UInt8(ascii: "!"), i + Self.doctype.count <= buffer.count,
               buffer[i..<(i + Self.doctype.count)].elementsEqual(Self.doctype), hasLandmark(width: 1, before: i, Self.opensElement) {
                return i
            }
            i += 1
        }
        scanFrom = max(1, buffer.count - Self.doctype.count)
        return nil
    }

    private mutating func nextAPSBoundary() -> Int? {
        let marker = Self.patn
        var i = scanFrom
        while i + marker.count < buffer.count {
            if buffer[i] == marker[0], buffer[(i + 1)..<(i + marker.count)].elementsEqual(marker.dropFirst()),
               buffer[i + marker.count] == 0x0A || buffer[i + marker.count] == 0x0D,
               hasLandmark(width: Self.wku.count, before: i, Self.startsWKULine) {
                return i + 1
            }
            i += 1
        }
        scanFrom = max(1, buffer.count - marker.count)
        return nil
    }

    private mutating func nextTSVBoundary() -> Int? {
        guard let firstEnd = buffer.firstIndex(of: 0x0A) else { return nil }
        let key = Self.tsvKey(buffer[0..<firstEnd])
        var lineStart = max(firstEnd + 1, scanFrom)
        while let end = buffer[lineStart...].firstIndex(of: 0x0A) {
            if Self.tsvKey(buffer[lineStart..<end]) != key { return lineStart }
            lineStart = end + 1
        }
        scanFrom = lineStart
        return nil
    }

    /// The first three tab-separated fields: office, number, kind.
    private static func tsvKey(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var tabs = 0
        for k in line.indices where line[k] == 0x09 {
            tabs += 1
            if tabs == 3 { return line[line.startIndex..<k] }
        }
        return line
    }

    /// True when the current document's landmark starts before `end` (a match of
    /// `width` bytes at `k` that `matches(buffer, k)`). The search resumes where it
    /// stopped and remembers what it found, so no byte is looked at twice.
    private mutating func hasLandmark(width: Int, before end: Int, _ matches: ([UInt8], Int) -> Bool) -> Bool {
        if let landmarkAt { return landmarkAt + width < end }
        let from = landmarkScanFrom
        var k = from
        while k + width < end, !matches(buffer, k) { k += 1 }
        searched += k - from
        guard k + width < end else {
            landmarkScanFrom = max(from, k)
            return false
        }
        landmarkAt = k
        return true
    }

    /// `<` followed by a letter: an element opens at `k`.
    private static func opensElement(_ bytes: [UInt8], _ k: Int) -> Bool {
        guard bytes[k] == UInt8(ascii: "<") else { return false }
        let c = bytes[k + 1]
        return (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
    }

    private static let wku: [UInt8] = Array("WKU".utf8)

    /// A line starting with `WKU` (an APS record's number) begins at `k`.
    private static func startsWKULine(_ bytes: [UInt8], _ k: Int) -> Bool {
        (k == 0 || bytes[k - 1] == 0x0A) && bytes[k..<(k + wku.count)].elementsEqual(wku)
    }

    /// Whitespace, or a byte of a UTF-8 byte-order mark.
    static func isBlankByte(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0xEF || b == 0xBB || b == 0xBF
    }

    /// Whitespace and byte-order marks only.
    private func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy(Self.isBlankByte)
    }
}
