import Foundation

/// The one-writer rule of a data folder: `patents import` and `patents index` hold an
/// exclusive `flock` on `DIR/write.lock` while they write the store or the index, so a
/// second writer can never publish an index generation over the first or collect a
/// segment the other just wrote. The lock file says who holds it (process id, command,
/// since when) so that the one waiting can tell the operator.
///
/// The kernel drops the lock when the holder exits, `kill -9` included: a stale lock
/// file is never in the way. Readers (`patents serve`, `search`, `export`) take no lock.
public final class DataFolderLock: Sendable {
    /// Who holds the lock, as its lock file says.
    public struct Holder: Codable, Sendable, Equatable, CustomStringConvertible {
        public let pid: Int32
        public let command: String
        public let since: Date

        public var description: String {
            "process \(pid) (patents \(command)) since \(ISO8601DateFormatter().string(from: since))"
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        /// `wait` was false and another process holds the lock.
        case held(by: Holder?)
        case cannotOpen(path: String, errno: Int32)

        public var description: String {
            switch self {
            case .held(let holder?): return "the data folder is being written by \(holder); try again when it has finished"
            case .held(nil): return "the data folder is being written by another process; try again when it has finished"
            case .cannotOpen(let path, let code): return "cannot open \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock of `directory` (created if missing). When another process holds
    /// it: with `wait`, calls `waiting` once with the holder and blocks until it is free;
    /// without, throws ``Failure/held(by:)``.
    public init(directory: String, command: String, wait: Bool, waiting: (Holder?) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("write.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure.cannotOpen(path: path, errno: errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(descriptor)
            guard wait else {
                close(descriptor)
                throw Failure.held(by: holder)
            }
            waiting(holder)
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let code = errno
                    close(descriptor)
                    throw Failure.cannotOpen(path: path, errno: code)
                }
            }
        }
        let me = Holder(pid: getpid(), command: command, since: Date())
        let bytes = Array((try? JSONEncoder().encode(me)) ?? Data())
        _ = ftruncate(descriptor, 0)
        _ = bytes.withUnsafeBufferPointer { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The holder the lock file names, if it can be read.
    private static func holder(_ descriptor: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBufferPointer { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return try? JSONDecoder().decode(Holder.self, from: Data(buffer[..<count]))
    }
}
