import CGzip
import Foundation
import Glibc

/// A ZIP file (APPNOTE 6.3) written entry by entry, each deflated with zlib as it streams
/// (from memory, or from parts — bytes and files — read 1 MB at a time), ZIP64 where an
/// entry, an offset or the entry count outgrows the classic fields. `finish` writes the
/// central directory and forces the archive to disk.
///
/// Our own rather than ZIPFoundation's writer (still used to read archives): exports
/// are written at zlib's fastest level, which ZIPFoundation does not let us choose, and at
/// its default level a 100,000-row workbook spent 5 of its 7 seconds deflating.
final class ZipOutput {
    var path: String { output.path }
    private let output: FileOutput
    private var entries: [Entry] = []
    private var names: Set<String> = []
    private var nextSuffix: [String: Int] = [:]
    /// The deflater's output, reused for every call.
    private var deflated = [UInt8](repeating: 0, count: 256 * 1024)
    /// One deflater for the archive, reset for each entry.
    private var stream = z_stream()
    private var streamReady = false
    /// zlib level 1: about three times faster than the default level, files some 15 % larger.
    static let level: Int32 = 1
    private static let chunk = 1 << 20

    private struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var compressed: UInt64
        var size: UInt64
        var headerOffset: UInt64
    }

    init(path: String) throws(ExportError) {
        output = try FileOutput(path: path)
    }

    deinit {
        if streamReady { deflateEnd(&stream) }
    }

    /// Where the next byte of the archive goes.
    private var offset: UInt64 { UInt64(output.position) }

    /// A name not used yet in this archive: `stem.ext`, else `stem_2.ext`, `stem_3.ext`, …
    func uniqueName(_ stem: String, extension ext: String) -> String {
        var name = "\(stem).\(ext)"
        // Counting on from the last suffix given to this stem: linear however many repeat.
        var counter = nextSuffix[name, default: 2]
        let key = name
        while names.contains(name) {
            name = "\(stem)_\(counter).\(ext)"
            counter += 1
        }
        nextSuffix[key] = counter
        names.insert(name)
        return name
    }

    func add(_ name: String, _ data: Data) throws(ExportError) {
        try add(name, parts: [.bytes(data)])
    }

    enum Part {
        case bytes(Data)
        case file(String, size: Int)

        var size: Int {
            switch self {
            case .bytes(let data): return data.count
            case .file(_, let size): return size
            }
        }
    }

    /// An entry made of parts in order, read on demand. The local header is written with
    /// the size (known from the parts) and patched with the CRC and compressed size after.
    func add(_ name: String, parts: [Part]) throws(ExportError) {
        names.insert(name)
        let size = UInt64(parts.reduce(0) { $0 + max(0, $1.size) })
        // Deflate never grows data by more than 0.1 % and a few bytes: below this margin
        // both sizes fit the classic 32-bit fields.
        let zip64 = size >= 0xFFF0_0000
        var entry = Entry(name: Array(name.utf8), crc: 0, compressed: 0, size: size, headerOffset: offset)
        try output.write(localHeader(entry, zip64: zip64))
        let dataStart = offset
        if streamReady {
            deflateReset(&stream)
        } else {
            guard deflateInit2_(&stream, Self.level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ExportError.io("cannot deflate \(name): zlib could not start")
            }
            streamReady = true
        }
        var crc = crc32(0, nil, 0)
        var read: UInt64 = 0
        for part in parts {
            try forEachChunk(of: part, entry: name) { (bytes) throws(ExportError) in
                crc = crc32(crc, bytes.baseAddress, uInt(bytes.count))
                read += UInt64(bytes.count)
                try deflate(bytes, finish: false, entry: name)
            }
        }
        try deflate(UnsafeBufferPointer(start: nil, count: 0), finish: true, entry: name)
        guard read == size else { throw ExportError.io("cannot add \(name) to \(path): a part changed size while it was read") }
        entry.crc = UInt32(crc)
        entry.compressed = offset - dataStart
        // The CRC and compressed size, in place in the local header.
        var patch: [UInt8] = []
        patch.appendLittleEndian(entry.crc)
        patch.appendLittleEndian(zip64 ? UInt32.max : UInt32(entry.compressed))
        try output.overwrite(patch, at: Int(entry.headerOffset) + 14)
        if zip64 {
            patch.removeAll()
            patch.appendLittleEndian(entry.size)
            patch.appendLittleEndian(entry.compressed)
            try output.overwrite(patch, at: Int(entry.headerOffset) + 30 + entry.name.count + 4)
        }
        entries.append(entry)
    }

    /// The central directory and its end records, then the archive to disk.
    func finish() throws(ExportError) {
        let directoryStart = offset
        for entry in entries { try output.write(centralHeader(entry)) }
        let directorySize = offset - directoryStart
        let zip64 = entries.count >= 0xFFFF || directoryStart >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF
        var end: [UInt8] = []
        if zip64 {
            let recordOffset = offset
            end.appendLittleEndian(UInt32(0x0606_4b50))
            end.appendLittleEndian(UInt64(44))
            end.appendLittleEndian(UInt16(45))
            end.appendLittleEndian(UInt16(45))
            end.appendLittleEndian(UInt32(0))
            end.appendLittleEndian(UInt32(0))
            end.appendLittleEndian(UInt64(entries.count))
            end.appendLittleEndian(UInt64(entries.count))
            end.appendLittleEndian(directorySize)
            end.appendLittleEndian(directoryStart)
            end.appendLittleEndian(UInt32(0x0706_4b50))
            end.appendLittleEndian(UInt32(0))
            end.appendLittleEndian(recordOffset)
            end.appendLittleEndian(UInt32(1))
        }
        end.appendLittleEndian(UInt32(0x0605_4b50))
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(UInt16(min(entries.count, 0xFFFF)))
        end.appendLittleEndian(UInt16(min(entries.count, 0xFFFF)))
        end.appendLittleEndian(UInt32(min(directorySize, 0xFFFF_FFFF)))
        end.appendLittleEndian(UInt32(min(directoryStart, 0xFFFF_FFFF)))
        end.appendLittleEndian(UInt16(0))
        try output.write(end)
        try output.finish()
    }

    // MARK: records

    /// The DOS time and date fields of now (local time, as ZIP tools read them).
    private static let dosTimeAndDate: (UInt16, UInt16) = {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let time = UInt16(parts.tm_hour << 11 | parts.tm_min << 5 | parts.tm_sec / 2)
        let date = UInt16(max(0, Int(parts.tm_year) - 80) << 9 | Int(parts.tm_mon + 1) << 5 | Int(parts.tm_mday))
        return (time, date)
    }()

    private func localHeader(_ entry: Entry, zip64: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.appendLittleEndian(UInt32(0x0403_4b50))
        out.appendLittleEndian(UInt16(zip64 ? 45 : 20))
        out.appendLittleEndian(UInt16(0x0800))  // names in UTF-8
        out.appendLittleEndian(UInt16(8))  // deflate
        out.appendLittleEndian(Self.dosTimeAndDate.0)
        out.appendLittleEndian(Self.dosTimeAndDate.1)
        out.appendLittleEndian(UInt32(0))  // CRC, patched
        out.appendLittleEndian(zip64 ? UInt32.max : 0)  // compressed size, patched
        out.appendLittleEndian(zip64 ? UInt32.max : UInt32(entry.size))
        out.appendLittleEndian(UInt16(entry.name.count))
        out.appendLittleEndian(UInt16(zip64 ? 20 : 0))
        out.append(contentsOf: entry.name)
        if zip64 {
            out.appendLittleEndian(UInt16(1))
            out.appendLittleEndian(UInt16(16))
            out.appendLittleEndian(entry.size)
            out.appendLittleEndian(UInt64(0))  // compressed size, patched
        }
        return out
    }

    private func centralHeader(_ entry: Entry) -> [UInt8] {
        // ZIP64 holds, in this order, only the values the classic fields cannot.
        var extra: [UInt8] = []
        if entry.size >= 0xFFFF_FFFF { extra.appendLittleEndian(entry.size) }
        if entry.compressed >= 0xFFFF_FFFF { extra.appendLittleEndian(entry.compressed) }
        if entry.headerOffset >= 0xFFFF_FFFF { extra.appendLittleEndian(entry.headerOffset) }
        var out: [UInt8] = []
        out.appendLittleEndian(UInt32(0x0201_4b50))
        out.appendLittleEndian(UInt16(3 << 8 | 45))  // made by: Unix, 4.5
        out.appendLittleEndian(UInt16(extra.isEmpty ? 20 : 45))
        out.appendLittleEndian(UInt16(0x0800))
        out.appendLittleEndian(UInt16(8))
        out.appendLittleEndian(Self.dosTimeAndDate.0)
        out.appendLittleEndian(Self.dosTimeAndDate.1)
        out.appendLittleEndian(entry.crc)
        out.appendLittleEndian(UInt32(min(entry.compressed, 0xFFFF_FFFF)))
        out.appendLittleEndian(UInt32(min(entry.size, 0xFFFF_FFFF)))
        out.appendLittleEndian(UInt16(entry.name.count))
        out.appendLittleEndian(UInt16(extra.isEmpty ? 0 : extra.count + 4))
        out.appendLittleEndian(UInt16(0))  // comment
        out.appendLittleEndian(UInt16(0))  // disk
        out.appendLittleEndian(UInt16(0))  // internal attributes
        out.appendLittleEndian(UInt32(0o100644) << 16)  // a regular file, rw-r--r--
        out.appendLittleEndian(UInt32(min(entry.headerOffset, 0xFFFF_FFFF)))
        out.append(contentsOf: entry.name)
        if !extra.isEmpty {
            out.appendLittleEndian(UInt16(1))
            out.appendLittleEndian(UInt16(extra.count))
            out.append(contentsOf: extra)
        }
        return out
    }

    // MARK: bytes

    private func forEachChunk(of part: Part, entry: String,
                              _ body: (UnsafeBufferPointer<UInt8>) throws(ExportError) -> Void) throws(ExportError) {
        switch part {
        case .bytes(let data):
            var start = data.startIndex
            while start < data.endIndex {
                let end = min(data.endIndex, start + Self.chunk)
                let outcome = data[start..<end].withUnsafeBytes { bytes in
                    Result { () throws(ExportError) in try body(bytes.bindMemory(to: UInt8.self)) }
                }
                try outcome.get()
                start = end
            }
        case .file(let file, let size):
            let input = open(file, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw ExportError.io("cannot read \(file) for \(entry): \(ExportError.reason(errno))") }
            defer { close(input) }
            var chunk = [UInt8](repeating: 0, count: Self.chunk)
            var left = size
            while left > 0 {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, min(left, $0.count)) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw ExportError.io("cannot read \(file) for \(entry): \(count < 0 ? ExportError.reason(errno) : "it ended early")") }
                let outcome = chunk.withUnsafeBufferPointer { bytes in
                    Result { () throws(ExportError) in try body(UnsafeBufferPointer(rebasing: bytes[..<count])) }
                }
                try outcome.get()
                left -= count
            }
        }
    }

    /// Feeds `input` to the deflater and emits what it produces; `finish` ends the stream.
    private func deflate(_ input: UnsafeBufferPointer<UInt8>, finish: Bool, entry: String) throws(ExportError) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = uInt(input.count)
        while true {
            let capacity = deflated.count
            let result = deflated.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                return CGzip.deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
            }
            let produced = capacity - Int(stream.avail_out)
            guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                throw ExportError.io("cannot deflate \(entry): zlib error \(result)")
            }
            try deflated.withUnsafeBufferPointer { (bytes) throws(ExportError) in try output.write(UnsafeBufferPointer(rebasing: bytes[..<produced])) }
            if finish ? result == Z_STREAM_END : (stream.avail_in == 0 && produced < capacity) { return }
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
