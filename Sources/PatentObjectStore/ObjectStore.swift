import Crypto
import Foundation

/// Object storage for what several machines share as whole files — index segments now,
/// export files later (many machines, part 2): a flat namespace of immutable objects named
/// by keys ("segments/<sha256>/<upload>"), written whole and read whole or streamed.
///
/// Two implementations: `FolderObjectStore` (a folder; one machine, or a shared mount) and
/// `S3ObjectStore` (any S3-compatible service: AWS, MinIO, SeaweedFS, Ceph). Keys are
/// relative to the store's own prefix; they hold letters, digits and `-._~/` only.
public protocol ObjectStore: Sendable {
    /// Stores the file at `path` under `key` (replacing an object of that key), streamed:
    /// memory stays within one part whatever the file's size.
    func upload(file path: String, to key: String) async throws

    /// Stores `bytes` under `key`.
    func upload(_ bytes: [UInt8], to key: String) async throws

    /// Writes the object `key` to `path` — streamed into a temporary file beside it, flushed
    /// to disk, then renamed over `path` — and returns its SHA-256 (lowercase hex) as read,
    /// so a caller checks what it received without reading the file again.
    @discardableResult
    func download(_ key: String, to path: String) async throws -> String

    /// The objects whose keys start with `prefix`, in key order.
    func list(prefix: String) async throws -> [StoredObject]

    /// Removes the object `key`; removing an absent object is not an error.
    func delete(_ key: String) async throws
}

/// One object of a listing.
public struct StoredObject: Equatable, Sendable {
    public var key: String
    public var size: Int

    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }
}

/// What an object store refused, with the key and the store's own words.
public enum ObjectStoreError: Error, CustomStringConvertible, Equatable {
    /// No object of that key.
    case notFound(key: String)
    /// A key with a character outside `A–Z a–z 0–9 - . _ ~ /`, or empty, or with `..`.
    case invalidKey(String)
    /// The service answered with an error: HTTP status, its error code and message.
    case refused(operation: String, key: String, status: Int, code: String, message: String)
    /// The location (`--segments`) cannot be used: why.
    case invalidLocation(String)

    public var description: String {
        switch self {
        case .notFound(let key): "object \(key) does not exist"
        case .invalidKey(let key): "invalid object key \"\(key)\": letters, digits and -._~/ only, no empty or .. part"
        case .refused(let operation, let key, let status, let code, let message):
            "\(operation) \(key): the object store answered \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .invalidLocation(let why): "invalid object store location: \(why)"
        }
    }

    /// Checks a key's characters and parts.
    static func check(_ key: String) throws(ObjectStoreError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, key.allSatisfy(allowed.contains), !parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }) else {
            throw .invalidKey(key)
        }
    }
}

/// SHA-256 of a file, streamed (lowercase hex).
public func sha256Hex(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
    defer { try? handle.close() }
    var hash = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
    return hash.finalize().hexString
}

extension Digest {
    /// Lowercase hexadecimal.
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
