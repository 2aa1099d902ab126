import CGzip
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files written so that a crash leaves either the old or the new content: data goes to
/// a temporary file that is flushed (`fsync`) and renamed over the target; the folder
/// is flushed too, so the rename itself survives a power cut.
enum DurableFile {
    /// `beforeRename` runs once the temporary file is flushed (a crash test's fault point).
    static func write(_ bytes: [UInt8], to path: String, beforeRename: () -> Void = {}) throws {
        var out = try DurableFileWriter(path: path)
        out.append(bytes)
        try out.finish(beforeRename: beforeRename)
    }

    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// A read-only memory mapping of a whole file.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let length: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IndexError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IndexError.io("cannot stat \(path)") }
        length = Int(info.st_size)
        guard length > 0 else { throw IndexError.corrupt("\(path) is empty") }
        guard let address = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), address != MAP_FAILED else {
            throw IndexError.io("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: length)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), length)
    }

    /// Lets the kernel drop the pages read so far (they are read again if touched): a
    /// merge that reads every page of its inputs keeps them out of its resident memory.
    func releasePages() {
        madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress), length, MADV_DONTNEED)
    }
}

/// A file written as a stream through a 1 MB buffer, with `DurableFile`'s guarantee: it
/// goes to a temporary file that `finish()` flushes and renames over the target, so a
/// crash leaves the old file or the complete new one. Memory stays at the buffer
/// whatever the file's size. `abandon()` (or an error) removes the temporary file.
final class DurableFileWriter: ByteSink {
    private let path: String
    private let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var flushed = 0
    private static let bufferSize = 1 << 20

    init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IndexError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { if fd >= 0 { abandon() } }

    var count: Int { flushed + buffer.count }

    func byte(_ value: UInt8) {
        buffer.append(value)
        if buffer.count >= Self.bufferSize { try? flush() }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if buffer.count + bytes.count > Self.bufferSize { try? flush() }
        // A chunk as large as the buffer goes straight to the file.
        if bytes.count >= Self.bufferSize { try? put(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    /// Writes the buffer out. A failure is remembered and reported by `finish()`.
    private func flush() throws {
        try buffer.withUnsafeBytes { try put($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func put(_ raw: UnsafeRawBufferPointer) throws {
        guard failure == nil else { throw failure! }
        var written = 0
        while written < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
            guard n > 0 else {
                failure = IndexError.io("cannot write \(temporary): \(String(cString: strerror(errno)))")
                throw failure!
            }
            written += n
        }
        checksum = Checksum.update(checksum, raw)
        flushed += raw.count
    }

    /// CRC-32 of the bytes written so far.
    private var checksum: UInt32 = 0

    /// Appends the CRC-32 of everything written before it (4 bytes, little-endian).
    func appendChecksum() throws {
        try flush()
        var sink = self
        sink.uint32(checksum)
    }

    private var failure: IndexError?

    /// Flushes, syncs and renames the file into place; `beforeRename` runs in between.
    func finish(beforeRename: () -> Void = {}) throws {
        do {
            try flush()
            guard fsync(fd) == 0 else { throw IndexError.io("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        } catch {
            abandon()
            throw error
        }
        close(fd)
        fd = -1
        beforeRename()
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw IndexError.io("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
        DurableFile.syncDirectory(of: path)
    }

    func abandon() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporary)
    }
}

/// CRC-32 (zlib's) over segment files: written last in each file, verified when the file
/// is first opened.
enum Checksum {
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var value = UInt(crc)
        var at = 0
        while at < bytes.count {
            let length = min(bytes.count - at, 1 << 30)
            value = crc32(value, bytes.baseAddress!.advanced(by: at).assumingMemoryBound(to: UInt8.self), UInt32(length))
            at += length
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
