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
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IndexError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw IndexError.io("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        close(fd)
        beforeRename()
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw IndexError.io("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: path)
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
}
