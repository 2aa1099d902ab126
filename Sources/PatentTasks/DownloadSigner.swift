import Crypto
import Foundation
import PatentStore

/// Signs download links like a presigned object-store URL: the path and an expiry time
/// under HMAC-SHA256 with the server's secret, so a link needs no token, cannot be
/// altered and stops working when it expires.
public struct DownloadSigner: Sendable {
    private let key: SymmetricKey

    public init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    /// The server's secret from `directory/secret.key`, created (32 random bytes, mode
    /// 0600, written durably) on first use.
    public static func loadOrCreate(directory: String) throws -> DownloadSigner {
        let path = (directory as NSString).appendingPathComponent("secret.key")
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return DownloadSigner(secret: Array(data))
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try DurableWrite.write(secret, to: path, mode: 0o600)
        return DownloadSigner(secret: secret)
    }

    /// The hex signature of a task's file valid until `expires` (Unix seconds).
    public func signature(taskID: String, fileName: String, expires: Int) -> String {
        let message = Array("\(taskID)/\(fileName)/\(expires)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: key).hexString
    }

    /// True when `signature` is this server's for these values (compared in constant time).
    public func verify(taskID: String, fileName: String, expires: Int, signature: String) -> Bool {
        guard let given = [UInt8](hex: signature) else { return false }
        let message = Array("\(taskID)/\(fileName)/\(expires)".utf8)
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: key)
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

extension Array where Element == UInt8 {
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension HashedAuthenticationCode {
    var hexString: String { Array(self).hexString }
}
