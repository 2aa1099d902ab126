import Foundation
import PatentStore

/// A tmpfs of a few megabytes mounted on a fresh folder, for tests of what happens when
/// the disk fills up (mounting needs root, as `make test` runs in CI). Unmounted by
/// ``unmount()``, or lazily when the value goes away.
public final class SmallDisk: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var mounted = true

    public struct MountFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public init(megabytes: Int) throws {
        path = try temporaryDirectory("small-disk")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/mount")
        process.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MountFailed(description: "cannot mount a \(megabytes) MB tmpfs on \(path): the disk-full tests need root")
        }
    }

    /// Bytes still free.
    public var freeBytes: Int { DiskSpace.available(at: path) ?? 0 }

    /// Fills the disk until `leaving` bytes are free, with one file.
    public func fill(leaving: Int) throws {
        let filler = (path as NSString).appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        defer { try? handle.close() }
        let chunk = Data(count: 64 * 1024)
        while freeBytes > leaving + chunk.count { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data(count: max(0, freeBytes - leaving)))
    }

    /// Frees what ``fill(leaving:)`` took.
    public func empty() {
        try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent("filler"))
    }

    public func unmount() {
        let wasMounted = lock.withLock { () -> Bool in
            defer { mounted = false }
            return mounted
        }
        guard wasMounted else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        try? process.run()
        process.waitUntilExit()
    }

    deinit { unmount() }
}
