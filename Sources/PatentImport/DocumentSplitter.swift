/// Cuts a byte stream into documents, holding one document at a time.
///
/// USPTO weekly bundles are several `<?xml …?>` documents concatenated in one file
/// (700 MB a week); every XML declaration (`<?xml` and a space, not
/// `<?xml-stylesheet`) after the first byte starts a new document.
/// A stream whose first non-blank byte is `{` or `[` is one JSON document.
struct DocumentSplitter {
    private var buffer: [UInt8] = []
    private var scanFrom = 1
    private var isJSON: Bool?
    private static let marker: [UInt8] = Array("<?xml".utf8)

    /// Appends a chunk and returns the documents it completes.
    mutating func push(_ chunk: some Collection<UInt8>) -> [[UInt8]] {
        buffer.append(contentsOf: chunk)
        if isJSON == nil, let first = buffer.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }) {
            isJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        }
        guard isJSON == false else { return [] }
        var documents: [[UInt8]] = []
        while let boundary = nextMarker() {
            let document = Array(buffer[0..<boundary])
            buffer.removeSubrange(0..<boundary)
            scanFrom = 1
            if !isBlank(document) { documents.append(document) }
        }
        scanFrom = max(1, buffer.count - Self.marker.count)
        return documents
    }

    /// Returns the last document, if any bytes remain.
    mutating func finish() -> [UInt8]? {
        defer { buffer = []; scanFrom = 1; isJSON = nil }
        return isBlank(buffer) ? nil : buffer
    }

    private func nextMarker() -> Int? {
        let marker = Self.marker
        guard buffer.count > marker.count else { return nil }
        var i = scanFrom
        let last = buffer.count - marker.count - 1
        while i <= last {
            if buffer[i] == marker[0] && buffer[i + 1] == marker[1] && buffer[i + 2] == marker[2]
                && buffer[i + 3] == marker[3] && buffer[i + 4] == marker[4] {
                let next = buffer[i + 5]
                if next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D { return i }
            }
            i += 1
        }
        return nil
    }

    private func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }
}
