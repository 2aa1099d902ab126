import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An index folder on disk. Files are memory-mapped for reading; a new file goes to a
/// temporary (`name.tmp-PID`) that `commit` flushes (`fsync`), renames over the target,
/// and whose folder it flushes too, so the rename itself survives a power cut.
public struct FileSystemDirectory: IndexDirectory {
    public let path: String

    /// The folder at `path`, created if missing.
    public init(_ path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The folder at `path` as it is: an index that may not exist reads as empty, and
    /// the folder is created when a first file is.
    public init(existing path: String) { self.path = path }

    public var description: String { path }

    func filePath(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func fileNames() throws -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    public func contents(of name: String) throws -> [UInt8]? {
        FileManager.default.contents(atPath: filePath(name)).map { Array($0) }
    }

    public func open(_ name: String) throws -> any IndexInput { try MappedFile(path: filePath(name)) }

    public func create(_ name: String) throws -> any OutputTarget { try TemporaryFile(path: filePath(name)) }

    public func remove(_ name: String) throws {
        if unlink(filePath(name)) != 0 && errno != ENOENT {
            throw IndexError.io("cannot remove \(filePath(name)): \(String(cString: strerror(errno)))")
        }
    }

    public func sync() throws {
        let fd = Glibc.open(path.isEmpty ? "." : path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    public func identity(of name: String) -> String? {
        var info = stat()
        guard stat(filePath(name), &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}

/// A read-only memory mapping of a whole file.
final class MappedFile: IndexInput, @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let length: Int

    init(path: String) throws {
        let fd = Glibc.open(path, O_RDONLY)
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

    func releasePages() {
        madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress), length, MADV_DONTNEED)
    }
}

/// The temporary file behind a new file on disk until its commit.
private final class TemporaryFile: OutputTarget {
    private let path: String
    private let temporary: String
    private var fd: Int32

    init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())"
        fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0, errno == ENOENT {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        guard fd >= 0 else { throw IndexError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
    }

    deinit { abandon() }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
            guard n > 0 else { throw IndexError.io("cannot write \(temporary): \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    func commit(beforeRename: () -> Void) throws {
        guard fsync(fd) == 0 else {
            let error = IndexError.io("cannot write \(temporary): \(String(cString: strerror(errno)))")
            abandon()
            throw error
        }
        close(fd)
        fd = -1
        beforeRename()
        guard rename(temporary, path) == 0 else {
            let error = IndexError.io("cannot rename \(temporary): \(String(cString: strerror(errno)))")
            unlink(temporary)
            throw error
        }
        try FileSystemDirectory(existing: (path as NSString).deletingLastPathComponent).sync()
    }

    func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporary)
    }
}
