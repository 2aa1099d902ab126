import CGzip
import Foundation
import PatentModel
import ZIPFoundation

/// Walks the inputs of an import — files, folders (recursively, in name order),
/// `.zip` archives and `.gz` files — and hands out one document at a time, so
/// memory stays flat whatever the size of a bundle.
public struct DocumentSource {
    public enum Event {
        case document(SourceDocument)
        /// A file that could not be read at all (missing, unreadable, corrupt archive).
        case unreadable(origin: String, reason: String)
        /// Called once per input file after its documents.
        case finishedFile(String)
        /// An office's original PDF, named by its publication number (`US10047600B2.pdf`),
        /// with the normalised number it is for.
        case originalPDF(pn: String, origin: String, bytes: [UInt8])
    }

    /// The publication a PDF's file name gives (`EP1000000A1.pdf`), kind code included;
    /// nil for any other name.
    static func publicationOfPDF(named path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        guard name.lowercased().hasSuffix(".pdf"),
              let number = PublicationNumber(parsing: String(name.dropLast(4))), !number.kind.isEmpty else { return nil }
        return number.normalized
    }

    public let paths: [String]
    public var chunkSize = 1 << 20
    /// A larger document is skipped (reported unreadable, naming the limit).
    public var maximumDocumentBytes = DocumentSplitter.defaultMaximumDocumentBytes

    public init(paths: [String]) { self.paths = paths }

    /// Calls `body` for each document and file event, in input order.
    public func forEach(_ body: (Event) throws -> Void) throws {
        for path in paths {
            try visit(path, body)
        }
    }

    private func visit(_ path: String, _ body: (Event) throws -> Void) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            try body(.unreadable(origin: path, reason: "no such file or folder"))
            return
        }
        if isDirectory.boolValue {
            let children: [String]
            do {
                children = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            } catch {
                try body(.unreadable(origin: path, reason: "cannot list folder: \(error.localizedDescription)"))
                return
            }
            for child in children where !child.hasPrefix(".") && (!Self.isIgnoredInFolder(child) || Self.publicationOfPDF(named: child) != nil) {
                try visit((path as NSString).appendingPathComponent(child), body)
            }
            return
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".pdf") {
            try readPDF(origin: path, body) { try Array(Data(contentsOf: URL(fileURLWithPath: path))) }
        } else if lower.hasSuffix(".zip") {
            try readZip(path, body)
        } else if lower.hasSuffix(".gz") {
            try readStream(path, origin: path, body, transform: GzipStream())
        } else {
            try readStream(path, origin: path, body, transform: nil)
        }
        try body(.finishedFile(path))
    }

    /// Files inside folders that are never patent documents, judged by extension
    /// (documentation, DTDs, schemas, images). A file named explicitly is always read.
    static func isIgnoredInFolder(_ name: String) -> Bool {
        let ignored: Set<String> = ["md", "dtd", "xsd", "xsl", "css", "js", "tsv", "tif", "tiff", "png", "jpg", "jpeg",
                                    "gif", "pdf", "ent", "mod"]
        guard let dot = name.lastIndex(of: ".") else { return false }
        return ignored.contains(name[name.index(after: dot)...].lowercased())
    }

    private func readStream(_ path: String, origin: String, _ body: (Event) throws -> Void, transform: GzipStream?) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            try body(.unreadable(origin: origin, reason: "cannot open file"))
            return
        }
        defer { try? handle.close() }
        var splitter = DocumentSplitter(maximumDocumentBytes: maximumDocumentBytes)
        var emitter = Emitter(origin: origin)
        let gzip = transform
        do {
            while true {
                let chunk = try handle.read(upToCount: chunkSize) ?? Data()
                if chunk.isEmpty { break }
                if let gzip {
                    try gzip.inflate(chunk) { bytes in try emitter.emit(splitter.push(bytes), body) }
                } else {
                    try emitter.emit(splitter.push(chunk), body)
                }
            }
            if let gzip, !gzip.isFinished { throw GzipError("truncated gzip stream") }
        } catch let error as GzipError {
            try body(.unreadable(origin: origin, reason: error.message))
        } catch let error as CocoaError {
            try body(.unreadable(origin: origin, reason: error.localizedDescription))
        }
        if let last = splitter.finish() { try emitter.emit([last], body) }
    }

    private func readZip(_ path: String, _ body: (Event) throws -> Void) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            try body(.unreadable(origin: path, reason: "not a readable ZIP archive"))
            return
        }
        let entries = archive.filter { $0.type == .file }.sorted { $0.path < $1.path }
        for entry in entries {
            let origin = "\(path)!\(entry.path)"
            if entry.path.lowercased().hasSuffix(".pdf") {
                try readPDF(origin: origin, body) {
                    var bytes: [UInt8] = []
                    _ = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: false) { bytes += $0 }
                    return bytes
                }
                continue
            }
            var splitter = DocumentSplitter(maximumDocumentBytes: maximumDocumentBytes)
            var emitter = Emitter(origin: origin)
            let gzip: GzipStream? = entry.path.lowercased().hasSuffix(".gz") ? GzipStream() : nil
            do {
                _ = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: false) { data in
                    if let gzip {
                        try gzip.inflate(data) { bytes in try emitter.emit(splitter.push(bytes), body) }
                    } else {
                        try emitter.emit(splitter.push(data), body)
                    }
                }
                if let last = splitter.finish() { try emitter.emit([last], body) }
            } catch let error as GzipError {
                try body(.unreadable(origin: origin, reason: error.message))
            } catch let error as Archive.ArchiveError {
                try body(.unreadable(origin: origin, reason: "ZIP entry unreadable: \(error)"))
            }
        }
    }

    /// A PDF: an original when its name is a publication number and its bytes a PDF.
    private func readPDF(origin: String, _ body: (Event) throws -> Void, bytes read: () throws -> [UInt8]) throws {
        guard let pn = Self.publicationOfPDF(named: origin) else {
            return try body(.unreadable(origin: origin, reason: "a PDF is imported only as an office's original, named by its "
                                        + "publication number with the kind code (US10047600B2.pdf)"))
        }
        let bytes: [UInt8]
        do {
            bytes = try read()
        } catch {
            return try body(.unreadable(origin: origin, reason: "cannot read the PDF: \(error.localizedDescription)"))
        }
        guard bytes.starts(with: Array("%PDF-".utf8)) else {
            return try body(.unreadable(origin: origin, reason: "named like a PDF but not one (no %PDF- header)"))
        }
        try body(.originalPDF(pn: pn, origin: origin, bytes: bytes))
    }

    /// Numbers the documents of one input: a single document keeps the plain origin.
    private struct Emitter {
        let origin: String
        var count = 0

        init(origin: String) { self.origin = origin }

        /// Documents as themselves; an oversized one as unreadable, naming the limit.
        mutating func emit(_ pieces: [DocumentSplitter.Piece], _ body: (Event) throws -> Void) throws {
            for piece in pieces {
                count += 1
                let name = count == 1 ? origin : "\(origin)#\(count)"
                switch piece {
                case .document(let bytes):
                    try body(.document(SourceDocument(origin: name, bytes: bytes)))
                case .oversized(let seen, let limit):
                    try body(.unreadable(origin: name, reason: "document larger than the \(limit >> 20) MB limit "
                                         + "(\(seen >> 20) MB seen), skipped"))
                }
            }
        }
    }
}

struct GzipError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Streaming gzip (RFC 1952) decompression with zlib; concatenated members allowed.
final class GzipStream {
    private var stream = z_stream()
    private var initialised = false
    private(set) var isFinished = false

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    /// Output is handed to `deliver` in pieces of at most 1 MB as it is inflated, so a
    /// chunk that expands a thousandfold never sits in memory whole.
    func inflate(_ data: Data, deliver: ([UInt8]) throws -> Void) throws {
        if !initialised {
            guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw GzipError("cannot initialise zlib")
            }
            initialised = true
        }
        var output: [UInt8] = []
        let piece = 1 << 20
        var input = [UInt8](data)
        let capacity = 1 << 16
        var buffer = [UInt8](repeating: 0, count: capacity)
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            repeat {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(capacity)
                    return CGzip.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(capacity - Int(stream.avail_out))])
                if output.count >= piece {
                    try deliver(output)
                    output.removeAll(keepingCapacity: true)
                }
                if status == Z_STREAM_END {
                    isFinished = true
                    if stream.avail_in > 0 { inflateReset(&stream); isFinished = false }
                } else if status == Z_BUF_ERROR {
                    break
                } else if status != Z_OK {
                    throw GzipError("corrupt gzip data (zlib \(status))")
                } else {
                    isFinished = false
                }
            } while stream.avail_in > 0 || stream.avail_out == 0
        }
        if !output.isEmpty { try deliver(output) }
    }
}
