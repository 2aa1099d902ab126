import Crypto
import CryptoExtras
import Foundation

/// Secrets the platform hands out and how it keeps them: client secrets under salted
/// PBKDF2-SHA256 (slow, so a stolen database does not yield them), API keys and access
/// tokens — 256 random bits, too long to guess — under SHA-256, looked up by digest.
public enum Credentials {
    /// How client secrets are hashed: PBKDF2-SHA256 rounds. Stored hashes carry their
    /// own count, so a store verifies hashes made with any count.
    public struct Hashing: Sendable {
        public var rounds: Int
        public init(rounds: Int) { self.rounds = rounds }
        /// OWASP's minimum for PBKDF2-SHA256; tests pass fewer rounds to stay fast.
        public static let production = Hashing(rounds: 210_000)
    }


    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// 32 hex characters.
    static func newClientID() -> String { randomBytes(16).hexString }
    /// 43 URL-safe characters.
    static func newSecret() -> String { base64URL(randomBytes(32)) }
    /// `sk-` and 43 URL-safe characters.
    static func newAPIKey() -> String { "sk-" + base64URL(randomBytes(32)) }
    static func newToken() -> String { base64URL(randomBytes(32)) }

    public static func digest(_ value: String) -> String { Array(SHA256.hash(data: Array(value.utf8))).hexString }

    /// `pbkdf2-sha256$ROUNDS$SALT$HASH` with a 16-byte random salt (hex).
    static func hashSecret(_ secret: String, rounds: Int) -> String {
        let salt = randomBytes(16)
        return "pbkdf2-sha256$\(rounds)$\(salt.hexString)$\(derive(secret, salt: salt, rounds: rounds).hexString)"
    }

    /// Compares in constant time; a malformed stored value never matches.
    static func verifySecret(_ secret: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds > 0,
              let salt = [UInt8](hex: String(parts[2])), let expected = [UInt8](hex: String(parts[3])) else { return false }
        let actual = derive(secret, salt: salt, rounds: rounds)
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A stored value no secret matches, verified against when a client id is unknown so
    /// that unknown ids and wrong secrets take the same time.
    static func decoy(rounds: Int) -> String {
        "pbkdf2-sha256$\(rounds)$\(randomBytes(16).hexString)$\(randomBytes(32).hexString)"
    }

    private static func derive(_ secret: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        let key = try! KDF.Insecure.PBKDF2.deriveKey(from: Array(secret.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
