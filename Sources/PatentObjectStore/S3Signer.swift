import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (the header form): what every S3-compatible
/// service checks before it answers. Path-style addressing (`/bucket/key`), which MinIO,
/// SeaweedFS and AWS all accept; the payload's SHA-256 is signed with the request.
struct S3Signer: Sendable {
    let accessKey: String
    let secretKey: String
    let region: String

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and
    /// `Authorization`. `path` is the canonical (already encoded) path; `query` the query
    /// parameters unencoded; `host` as sent in the Host header.
    func headers(method: String, host: String, path: String, query: [(String, String)], payloadSHA256: String,
                 date: Date = Date()) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(date)
        let encoded: [(name: String, value: String)] = query.map { (Self.encode($0.0, slash: true), Self.encode($0.1, slash: true)) }
        let sorted = encoded.sorted { (a, b) -> Bool in a.name == b.name ? a.value < b.value : a.name < b.name }
        let canonicalQuery = sorted.map { pair -> String in pair.name + "=" + pair.value }.joined(separator: "&")
        let signedHeaders = "host;x-amz-content-sha256;x-amz-date"
        let canonicalRequest = [method, path, canonicalQuery,
                                "host:\(host)\nx-amz-content-sha256:\(payloadSHA256)\nx-amz-date:\(amzDate)\n",
                                signedHeaders, payloadSHA256].joined(separator: "\n")
        let scope = "\(day)/\(region)/s3/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            SHA256.hash(data: Data(canonicalRequest.utf8)).hexString].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, "s3", "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
            .map { String(format: "%02x", $0) }.joined()
        return [
            ("x-amz-date", amzDate),
            ("x-amz-content-sha256", payloadSHA256),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"),
        ]
    }

    /// `20261202T031500Z` and `20261202`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        return (day + String(format: "T%02d%02d%02dZ", c.hour ?? 0, c.minute ?? 0, c.second ?? 0), day)
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other byte
    /// `%XX` (uppercase); `/` kept in paths (`slash: false`), encoded in query parts.
    static func encode(_ text: String, slash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "/") where !slash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The SHA-256 of no bytes: the payload hash of GET, HEAD and DELETE.
    static let emptyPayload = SHA256.hash(data: Data()).hexString
}
