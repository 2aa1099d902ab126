import Crypto
import PatentAccounts
import Foundation

/// How nodes of one cluster prove a call between them came from a node (shard calls of a
/// sharded search): HMAC-SHA256 with the cluster's shared secret over the call's time,
/// method, path and body hash, in `X-Patents-Cluster-Signature` with the time in
/// `X-Patents-Cluster-Time`. A call more than `skew` seconds from the receiver's clock is
/// refused, so a captured call cannot be replayed later.
public struct ClusterSignature: Sendable {
    let key: SymmetricKey
    /// Seconds a call's time may differ from the receiver's clock.
    public var skew: TimeInterval = 60

    static let signatureHeader = "X-Patents-Cluster-Signature"
    static let timeHeader = "X-Patents-Cluster-Time"

    /// A secret of at least 32 bytes (`serve --cluster-secret-file`).
    public init(secret: [UInt8]) throws(ClusterSecretError) {
        guard secret.count >= 32 else { throw ClusterSecretError(count: secret.count) }
        key = SymmetricKey(data: secret)
    }

    /// The signature of a call made at `time` (seconds since 1970, whole).
    func sign(method: String, path: String, body: [UInt8], time: Int) -> String {
        let bodyHash = Array(SHA256.hash(data: body)).hexString
        let text = "\(time)\n\(method)\n\(path)\n\(bodyHash)"
        return Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).hexString
    }

    /// Whether a received call carries a valid signature within the allowed skew.
    func verify(method: String, path: String, body: [UInt8], time: String?, signature: String?, now: Date = Date()) -> Bool {
        guard let time, let seconds = Int(time), let signature,
              abs(now.timeIntervalSince1970 - Double(seconds)) <= skew else { return false }
        let expected = Array(sign(method: method, path: path, body: body, time: seconds).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

public struct ClusterSecretError: Error, CustomStringConvertible {
    let count: Int
    public var description: String { "the cluster secret must be at least 32 bytes, not \(count)" }
}
