import CGzip
import Foundation

/// Where an index's files live. The engine reads and writes only through a directory
/// (Lucene's `Directory`, Tantivy's `Directory`): `FileSystemDirectory` on disk,
/// `MemoryDirectory` for tests and tools, and `FaultInjectingDirectory`, which keeps
/// apart what a crash would leave (durable) from what the process sees, so durability
/// tests can stop a writer at any of its file operations and reopen what survives.
///
/// The contract a writer relies on: a file created is invisible until its output's
/// `commit`, which makes the bytes durable, then puts the file in place under its name
/// (replacing one of that name) and makes the name durable — so a crash leaves the old
/// file or the complete new one. `remove` is visible at once and durable after `sync`.
public protocol IndexDirectory: Sendable, CustomStringConvertible {
    /// The names of the files present.
    func fileNames() throws -> [String]
    /// A whole file, nil when there is none of that name (manifests, deletion bitmaps).
    func contents(of name: String) throws -> [UInt8]?
    /// A file opened read-only for as long as the input lives (memory-mapped on disk).
    func open(_ name: String) throws -> any IndexInput
    /// A new file, written as a stream and put in place by `commit`.
    func create(_ name: String) throws -> any OutputTarget
    /// Removes a file; none of that name is not an error.
    func remove(_ name: String) throws
    /// Makes the removals so far durable.
    func sync() throws
    /// What identifies this exact file's content for as long as it exists (device, inode,
    /// size and time on disk), so an immutable file's checksum is verified once per
    /// process; nil where there is no such identity (then it is verified every time).
    func identity(of name: String) -> String?
}

/// A file open for reading: its bytes, valid while the input lives.
public protocol IndexInput: AnyObject, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
    /// Lets the pages read so far go from resident memory (read again if touched): a merge
    /// that reads every page of its inputs keeps them out of its resident memory.
    func releasePages()
}

/// Where an `IndexOutput`'s bytes go, piece by piece.
public protocol OutputTarget: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Makes the bytes durable, runs `beforeRename` (a crash test's fault point), puts the
    /// file in place under its name and makes that durable.
    func commit(beforeRename: () -> Void) throws
    /// Drops what was written; the file never appears.
    func abandon()
}

extension IndexDirectory {
    /// Writes a whole file (`IndexOutput`'s guarantee: the old file or the new one).
    func write(_ bytes: [UInt8], to name: String, beforeRename: () -> Void = {}) throws {
        var out = try IndexOutput(self, name)
        out.append(bytes)
        try out.finish(beforeRename: beforeRename)
    }
}

/// A file written as a stream through a 1 MB buffer into its directory's target, which
/// `finish()` commits: memory stays at the buffer whatever the file's size. `abandon()`
/// (or an error) drops the file.
final class IndexOutput: ByteSink {
    let name: String
    private let target: any OutputTarget
    private var open = true
    private var buffer: [UInt8] = []
    private var flushed = 0
    private static let bufferSize = 1 << 20

    init(_ directory: any IndexDirectory, _ name: String) throws {
        self.name = name
        target = try directory.create(name)
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { if open { target.abandon() } }

    var count: Int { flushed + buffer.count }

    func byte(_ value: UInt8) {
        buffer.append(value)
        if buffer.count >= Self.bufferSize { try? flush() }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if buffer.count + bytes.count > Self.bufferSize { try? flush() }
        // A chunk as large as the buffer goes straight to the target.
        if bytes.count >= Self.bufferSize { try? put(bytes) } else { buffer.append(contentsOf: bytes) }
    }

    /// Writes the buffer out. A failure is remembered and reported by `finish()`.
    private func flush() throws {
        try buffer.withUnsafeBytes { try put($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func put(_ raw: UnsafeRawBufferPointer) throws {
        if let failure { throw failure }
        do {
            try target.write(raw)
        } catch {
            failure = error
            throw error
        }
        checksum = Checksum.update(checksum, raw)
        flushed += raw.count
    }

    /// CRC-32 of the bytes written so far.
    private var checksum: UInt32 = 0
    private var failure: (any Error)?

    /// Appends the CRC-32 of everything written before it (4 bytes, little-endian).
    func appendChecksum() throws {
        try flush()
        var sink = self
        sink.uint32(checksum)
    }

    /// Flushes and commits the file; `beforeRename` runs once its bytes are durable.
    func finish(beforeRename: () -> Void = {}) throws {
        do {
            try flush()
        } catch {
            abandon()
            throw error
        }
        open = false
        try target.commit(beforeRename: beforeRename)
    }

    func abandon() {
        if open { target.abandon() }
        open = false
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
