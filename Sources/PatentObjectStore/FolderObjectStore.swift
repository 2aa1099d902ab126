import Crypto
import Foundation

/// Objects as files under a folder (one machine, or a folder every node mounts): a key is a
/// relative path. An object is written to a temporary file, flushed and renamed into place,
/// so a reader never sees half of one and `kill -9` leaves either the old object or the new.
public struct FolderObjectStore: ObjectStore {
    public let root: String

    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    private func path(_ key: String) throws -> String {
        try ObjectStoreError.check(key)
        return (root as NSString).appendingPathComponent(key)
    }

    public func upload(file source: String, to key: String) async throws {
        let target = try path(key)
        try await copy(from: source, to: target)
    }

    public func upload(_ bytes: [UInt8], to key: String) async throws {
        let target = try path(key)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try await Self.replace(target) { handle in try handle.write(contentsOf: bytes) }
    }

    @discardableResult
    public func download(_ key: String, to target: String) async throws -> String {
        let source = try path(key)
        guard FileManager.default.fileExists(atPath: source) else { throw ObjectStoreError.notFound(key: key) }
        return try await copy(from: source, to: target)
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var objects: [StoredObject] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasPrefix(prefix), !relative.hasSuffix(Self.partial) else { continue }
            let attributes = try FileManager.default.attributesOfItem(atPath: (root as NSString).appendingPathComponent(relative))
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            objects.append(StoredObject(key: relative, size: (attributes[.size] as? NSNumber)?.intValue ?? 0))
        }
        return objects.sorted { $0.key < $1.key }
    }

    public func delete(_ key: String) async throws {
        let target = try path(key)
        do {
            try FileManager.default.removeItem(atPath: target)
        } catch CocoaError.fileNoSuchFile {
            return
        }
    }

    /// Copies `source` to `target` through a temporary file and a rename; the SHA-256 of
    /// the bytes copied.
    @discardableResult
    private func copy(from source: String, to target: String) async throws -> String {
        guard let input = FileHandle(forReadingAtPath: source) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: source]) }
        defer { try? input.close() }
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var hash = SHA256()
        try await Self.replace(target) { output in
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                hash.update(data: chunk)
                try output.write(contentsOf: chunk)
            }
        }
        return hash.finalize().hexString
    }

    /// The suffix of a file being written.
    static let partial = ".partial"

    /// Writes `target` whole or not at all: `body` writes a temporary file beside it, which
    /// is flushed to disk and renamed over `target`.
    static func replace(_ target: String, _ body: (FileHandle) async throws -> Void) async throws {
        let temporary = target + "." + UUID().uuidString.prefix(8) + partial
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let output = FileHandle(forWritingAtPath: temporary) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        do {
            try await body(output)
            try output.synchronize()
            try output.close()
            guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
        } catch {
            try? output.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
