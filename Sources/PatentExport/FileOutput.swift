import Crypto
import Glibc

/// An export file being written: bytes are collected in a buffer and written with one
/// system call per 64 KB or more, so memory stays flat whatever the file's size.
public final class FileOutput {
    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 64 * 1024
    /// The bytes written so far, hashed as they go: the task records the file's SHA-256
    /// without reading it again.
    private var hasher = SHA256()
    private var size = 0
    /// Whether bytes were written again in place (`overwrite`): the hash is then not the file's.
    private var overwritten = false

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(ExportError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ExportError.io("cannot create \(path): \(ExportError.reason(errno))") }
        buffer.reserveCapacity(capacity)
    }

    deinit { close(descriptor) }

    public func write(_ text: String) throws(ExportError) {
        var text = text
        let outcome = text.withUTF8 { bytes in Result { () throws(ExportError) in try write(bytes) } }
        try outcome.get()
    }

    /// Lets `body` append to the buffer directly (a writer's row, escaped as it goes);
    /// the buffer reaches the file once it holds 64 KB.
    func append(_ body: (inout [UInt8]) -> Void) throws(ExportError) {
        body(&buffer)
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(ExportError) {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    public func write(_ bytes: [UInt8]) throws(ExportError) {
        try bytes.withUnsafeBufferPointer { pointer throws(ExportError) in try write(pointer) }
    }

    /// Writes what is buffered and forces the file to disk.
    public func finish() throws(ExportError) {
        try flush()
        guard fsync(descriptor) == 0 else { throw ExportError.io("cannot sync \(path): \(ExportError.reason(errno))") }
    }

    private func flush() throws(ExportError) {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { pointer throws(ExportError) in try writeAll(pointer) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Where the next byte goes: the bytes handed over so far, buffered or not.
    var position: Int { size + buffer.count }

    /// Writes `bytes` again at `position`, over bytes written before (a ZIP's header
    /// completed after its entry).
    func overwrite(_ bytes: [UInt8], at position: Int) throws(ExportError) {
        try flush()
        overwritten = true
        let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(position)) }
        guard count == bytes.count else { throw ExportError.io("cannot write \(path): \(ExportError.reason(errno))") }
    }

    /// The size and SHA-256 of everything written (after `finish`); nil after an `overwrite`.
    public var digest: FileDigest? { overwritten ? nil : FileDigest(size: size, sha256: Array(hasher.finalize())) }

    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) throws(ExportError) {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        size += bytes.count
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportError.io("cannot write \(path): \(ExportError.reason(errno))")
            }
            offset += written
        }
    }
}

/// Why an export file could not be written.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    case io(String)

    public var description: String {
        switch self {
        case .io(let message): return message
        }
    }

    /// `No space left on device (errno 28)`.
    static func reason(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }
}
