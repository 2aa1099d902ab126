import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Objects in a bucket of an S3-compatible service (AWS S3, MinIO, SeaweedFS, Ceph), spoken
/// to over HTTP with AsyncHTTPClient and signed with SigV4 (`S3Signer`). Keys live under
/// `prefix` in `bucket`. A file larger than `partSize` is uploaded in parts (multipart
/// upload: one part in memory at a time; an upload that fails is aborted, so no parts
/// linger); downloads are streamed to disk and hashed on the way.
public struct S3ObjectStore: ObjectStore {
    public struct Configuration: Sendable {
        /// `http(s)://host[:port]` of the service.
        public var endpoint: String
        public var bucket: String
        /// Keys are stored under this prefix (no leading or trailing `/`; empty: the bucket's root).
        public var prefix: String
        public var region: String
        public var accessKey: String
        public var secretKey: String
        /// Part size of multipart uploads (S3's minimum is 5 MiB); files up to it go in one PUT.
        public var partSize = 16 << 20
        /// Keys a listing asks for per page (S3's `max-keys`; at most 1,000).
        public var listPageSize = 1_000
        /// The longest one request may take.
        public var timeout: TimeAmount = .seconds(300)

        public init(endpoint: String, bucket: String, prefix: String = "", region: String = "us-east-1",
                    accessKey: String, secretKey: String) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.prefix = prefix
            self.region = region
            self.accessKey = accessKey
            self.secretKey = secretKey
        }
    }

    public let configuration: Configuration
    private let signer: S3Signer
    private let host: String
    private let base: String
    private let client: HTTPClient

    public init(_ configuration: Configuration, client: HTTPClient = .shared) throws(ObjectStoreError) {
        guard let url = URL(string: configuration.endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme),
              let hostName = url.host, !hostName.isEmpty else {
            throw .invalidLocation("endpoint \"\(configuration.endpoint)\" is not http(s)://host[:port]")
        }
        guard (3...63).contains(configuration.bucket.count),
              configuration.bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw .invalidLocation("bucket \"\(configuration.bucket)\": 3–63 lowercase letters, digits, - and .")
        }
        guard configuration.partSize >= 5 << 20 else { throw .invalidLocation("part size below S3's 5 MiB minimum") }
        self.configuration = configuration
        signer = S3Signer(accessKey: configuration.accessKey, secretKey: configuration.secretKey, region: configuration.region)
        host = url.port.map { "\(hostName):\($0)" } ?? hostName
        base = "\(scheme)://\(host)"
        self.client = client
    }

    // MARK: - ObjectStore

    public func upload(_ bytes: [UInt8], to key: String) async throws {
        try ObjectStoreError.check(key)
        _ = try await send("PUT", key: key, body: bytes, operation: "upload")
    }

    public func upload(file path: String, to key: String) async throws {
        try ObjectStoreError.check(key)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        guard size > configuration.partSize else {
            let bytes = try handle.readToEnd().map { [UInt8]($0) } ?? []
            _ = try await send("PUT", key: key, body: bytes, operation: "upload")
            return
        }
        try await multipartUpload(handle, to: key)
    }

    @discardableResult
    public func download(_ key: String, to path: String) async throws -> String {
        try ObjectStoreError.check(key)
        let response = try await client.execute(request("GET", key: key, query: [], body: nil), timeout: configuration.timeout)
        guard response.status == .ok else {
            throw try await refusal(response, operation: "download", key: key)
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var hash = SHA256()
        try await FolderObjectStore.replace(path) { output in
            for try await buffer in response.body {
                try buffer.withUnsafeReadableBytes { bytes in
                    hash.update(bufferPointer: bytes)
                    try output.write(contentsOf: bytes)
                }
            }
        }
        return hash.finalize().hexString
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        var objects: [StoredObject] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", fullKey(prefix)), ("max-keys", String(configuration.listPageSize))]
            if let token { query.append(("continuation-token", token)) }
            let answer = try await send("GET", key: nil, query: query, operation: "list")
            let listing = S3Listing(answer)
            let cut = configuration.prefix.isEmpty ? 0 : configuration.prefix.count + 1
            objects += listing.objects.map { StoredObject(key: String($0.key.dropFirst(cut)), size: $0.size) }
            token = listing.truncated ? listing.nextToken : nil
        } while token != nil
        return objects
    }

    public func delete(_ key: String) async throws {
        try ObjectStoreError.check(key)
        _ = try await send("DELETE", key: key, operation: "delete", accepting: [.noContent, .ok, .notFound])
    }

    /// Creates the bucket; a bucket that exists already (and is this account's) is fine.
    public func createBucket() async throws {
        let response = try await client.execute(request("PUT", key: nil, query: [], body: nil, bucketOnly: true),
                                                timeout: configuration.timeout)
        guard response.status == .ok || response.status == .conflict else {
            throw try await refusal(response, operation: "create bucket", key: configuration.bucket)
        }
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    // MARK: - Multipart upload

    private func multipartUpload(_ handle: FileHandle, to key: String) async throws {
        let started = try await send("POST", key: key, query: [("uploads", "")], operation: "start multipart upload")
        guard let uploadID = S3Listing.value(of: "UploadId", in: started) else {
            throw ObjectStoreError.refused(operation: "start multipart upload", key: key, status: 200, code: "NoUploadId", message: "")
        }
        do {
            var etags: [String] = []
            while let chunk = try handle.read(upToCount: configuration.partSize), !chunk.isEmpty {
                let number = etags.count + 1
                let response = try await client.execute(
                    request("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: [UInt8](chunk)),
                    timeout: configuration.timeout)
                guard response.status == .ok, let etag = response.headers.first(name: "ETag") else {
                    throw try await refusal(response, operation: "upload part \(number)", key: key)
                }
                _ = try await response.body.collect(upTo: 1 << 20)
                etags.append(etag)
            }
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(Self.escape($0.element))</ETag></Part>" }
            let body = "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>"
            let completed = try await send("POST", key: key, query: [("uploadId", uploadID)], body: Array(body.utf8),
                                           operation: "complete multipart upload")
            // S3 may answer 200 with an error document when completing fails late.
            if let code = S3Listing.value(of: "Code", in: completed) {
                throw ObjectStoreError.refused(operation: "complete multipart upload", key: key, status: 200, code: code,
                                               message: S3Listing.value(of: "Message", in: completed) ?? "")
            }
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadID)], operation: "abort multipart upload",
                                accepting: [.noContent, .ok, .notFound])
            throw error
        }
    }

    // MARK: - Requests

    private func fullKey(_ key: String) -> String {
        configuration.prefix.isEmpty ? key : configuration.prefix + "/" + key
    }

    /// A signed request on the bucket (`key` nil) or an object.
    private func request(_ method: String, key: String?, query: [(String, String)], body: [UInt8]?,
                         bucketOnly: Bool = false) -> HTTPClientRequest {
        var path = "/" + S3Signer.encode(configuration.bucket, slash: true)
        if let key { path += "/" + S3Signer.encode(fullKey(key), slash: false) } else if !bucketOnly { path += "/" }
        let payload = body.map { SHA256.hash(data: $0).hexString } ?? S3Signer.emptyPayload
        let queryText = query.map { S3Signer.encode($0.0, slash: true) + "=" + S3Signer.encode($0.1, slash: true) }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: base + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signer.headers(method: method, host: host, path: path, query: query, payloadSHA256: payload) {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.headers.add(name: "Content-Length", value: String(body.count))
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends a request and returns the answer's body (small answers: listings, upload ids).
    private func send(_ method: String, key: String?, query: [(String, String)] = [], body: [UInt8]? = nil, operation: String,
                      accepting: Set<HTTPResponseStatus> = [.ok]) async throws -> [UInt8] {
        let response = try await client.execute(request(method, key: key, query: query, body: body), timeout: configuration.timeout)
        guard accepting.contains(response.status) else {
            throw try await refusal(response, operation: operation, key: key ?? configuration.bucket)
        }
        return Array(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// The service's error answer as a precise error.
    private func refusal(_ response: HTTPClientResponse, operation: String, key: String) async throws -> ObjectStoreError {
        let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? []
        if response.status == .notFound, S3Listing.value(of: "Code", in: body).map({ $0 == "NoSuchKey" }) ?? true {
            return .notFound(key: key)
        }
        return .refused(operation: operation, key: key, status: Int(response.status.code),
                        code: S3Listing.value(of: "Code", in: body) ?? response.status.reasonPhrase,
                        message: S3Listing.value(of: "Message", in: body) ?? "")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
