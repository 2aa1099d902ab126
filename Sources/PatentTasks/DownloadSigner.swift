import Crypto
import Foundation
import PatentAccounts
import PatentStore

/// Signs download links like a presigned object-store URL: the path and an expiry time
/// under HMAC-SHA256 with a secret key, so a link needs no token, cannot be altered and
/// stops working when it expires.
///
/// One machine signs with `secret.key` in its data folder and its links carry no key id.
/// Nodes sharing a database sign with a key stored there and name it in each link
/// (`kid=`), so a link made on one node downloads from any other; a key id this node does
/// not know yet is asked of `lookup` (the database) once per link.
public struct DownloadSigner: Sendable {
    private let key: SymmetricKey
    /// The id links name the key by; nil: the data folder's own key.
    public let keyID: String?
    private let lookup: (@Sendable (String) -> [UInt8]?)?

    public init(secret: [UInt8], keyID: String? = nil, lookup: (@Sendable (String) -> [UInt8]?)? = nil) {
        key = SymmetricKey(data: secret)
        self.keyID = keyID
        self.lookup = lookup
    }

    /// The server's secret from `directory/secret.key`, created (32 random bytes, mode
    /// 0600, written durably) on first use.
    public static func loadOrCreate(directory: String) throws -> DownloadSigner {
        let path = (directory as NSString).appendingPathComponent("secret.key")
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return DownloadSigner(secret: Array(data))
        }
        let secret = newSecret()
        try DurableWrite.write(secret, to: path, mode: 0o600)
        return DownloadSigner(secret: secret)
    }

    /// 32 random bytes for a new key.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The signed path of a task's file valid until `expires` (Unix seconds).
    public func link(taskID: String, fileName: String, expires: Int) -> String {
        let kid = keyID.map { "&kid=\($0)" } ?? ""
        return "/patent-search/download/\(taskID)/\(fileName)?expires=\(expires)\(kid)&signature=\(signature(taskID: taskID, fileName: fileName, expires: expires))"
    }

    /// The hex signature of a task's file valid until `expires` (Unix seconds).
    public func signature(taskID: String, fileName: String, expires: Int) -> String {
        HMAC<SHA256>.authenticationCode(for: Self.message(taskID, fileName, expires), using: key).hexString
    }

    /// True when `signature` was made for these values with this key, or with the key
    /// `keyID` names (compared in constant time).
    public func verify(taskID: String, fileName: String, expires: Int, keyID: String? = nil, signature: String) -> Bool {
        guard let given = [UInt8](hex: signature) else { return false }
        let key: SymmetricKey
        if keyID == self.keyID {
            key = self.key
        } else if let keyID, let secret = lookup?(keyID) {
            key = SymmetricKey(data: secret)
        } else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.message(taskID, fileName, expires), using: key)
    }

    private static func message(_ taskID: String, _ fileName: String, _ expires: Int) -> [UInt8] {
        Array("\(taskID)/\(fileName)/\(expires)".utf8)
    }
}
