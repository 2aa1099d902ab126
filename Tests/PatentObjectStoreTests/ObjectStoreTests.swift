import Crypto
import Foundation
import PatentTestSupport
import Testing
@testable import PatentObjectStore

/// Both object stores against the same expectations: a folder, and SeaweedFS's S3 service
/// (a real server on loopback, SigV4 checked by it, multipart uploads, paged listings).
@Suite("Object stores")
struct ObjectStoreTests {
    enum Kind: String, CaseIterable { case folder, s3 }

    static func store(_ kind: Kind, partSize: Int = 16 << 20, listPageSize: Int = 1_000,
                      secret: String? = nil) async throws -> any ObjectStore {
        switch kind {
        case .folder:
            return try FolderObjectStore(root: try temporaryDirectory("objects"))
        case .s3:
            let server = SeaweedServer.shared
            var configuration = S3ObjectStore.Configuration(
                endpoint: server.endpoint, bucket: "patents-test", prefix: "run-" + UUID().uuidString.prefix(8).lowercased(),
                accessKey: server.accessKey, secretKey: secret ?? server.secretKey)
            configuration.partSize = partSize
            configuration.listPageSize = listPageSize
            let store = try S3ObjectStore(configuration)
            if secret == nil { try await store.createBucket() }
            return store
        }
    }

    static func randomFile(_ size: Int) throws -> (path: String, sha256: String) {
        var bytes = [UInt8](repeating: 0, count: size)
        var generator = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: size, by: 8) {
            let word = generator.next() as UInt64
            for j in 0..<min(8, size - i) { bytes[i + j] = UInt8(truncatingIfNeeded: word >> (j * 8)) }
        }
        let path = try temporaryDirectory("object-file") + "/file"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
    }

    @Test("objects go in and come back byte for byte; listing, deleting, absent keys", arguments: Kind.allCases)
    func roundTrip(_ kind: Kind) async throws {
        let store = try await Self.store(kind, listPageSize: 2)
        try await store.upload(Array("first".utf8), to: "segments/aa/one")
        let file = try Self.randomFile(100_000)
        try await store.upload(file: file.path, to: "segments/bb/two.seg")
        try await store.upload(Array("other".utf8), to: "exports/x~y_z-1.csv")

        let target = try temporaryDirectory("object-download") + "/deep/two.seg"
        #expect(try await store.download("segments/bb/two.seg", to: target) == file.sha256)
        #expect(try sha256Hex(ofFile: target) == file.sha256)
        #expect(try FileManager.default.contentsOfDirectory(atPath: (target as NSString).deletingLastPathComponent) == ["two.seg"],
                "no temporary file left beside it")
        // Three objects, pages of two: the listing follows its continuation.
        #expect(try await store.list(prefix: "") == [
            StoredObject(key: "exports/x~y_z-1.csv", size: 5), StoredObject(key: "segments/aa/one", size: 5),
            StoredObject(key: "segments/bb/two.seg", size: 100_000),
        ])
        #expect(try await store.list(prefix: "segments/").map(\.key) == ["segments/aa/one", "segments/bb/two.seg"])

        try await store.upload(Array("replaced".utf8), to: "segments/aa/one")
        let replaced = try temporaryDirectory("object-download") + "/one"
        try await store.download("segments/aa/one", to: replaced)
        #expect(try String(contentsOfFile: replaced, encoding: .utf8) == "replaced")

        try await store.delete("segments/aa/one")
        try await store.delete("segments/aa/one")  // absent: not an error
        #expect(try await store.list(prefix: "segments/").map(\.key) == ["segments/bb/two.seg"])
        await #expect(throws: ObjectStoreError.notFound(key: "segments/aa/one")) {
            try await store.download("segments/aa/one", to: replaced)
        }
        #expect(try String(contentsOfFile: replaced, encoding: .utf8) == "replaced", "a failed download leaves the file alone")
        await #expect(throws: ObjectStoreError.invalidKey("../escape")) { try await store.upload([1], to: "../escape") }
        await #expect(throws: ObjectStoreError.invalidKey("a b")) { try await store.upload([1], to: "a b") }
    }

    @Test("a file larger than a part is uploaded in parts and comes back whole")
    func multipartUpload() async throws {
        let store = try await Self.store(.s3, partSize: 5 << 20)
        let file = try Self.randomFile(12 << 20 + 12_345)  // three parts, the last short
        try await store.upload(file: file.path, to: "segments/big")
        #expect(try await store.list(prefix: "segments/") == [StoredObject(key: "segments/big", size: 12 << 20 + 12_345)])
        let target = try temporaryDirectory("object-download") + "/big"
        #expect(try await store.download("segments/big", to: target) == file.sha256)
    }

    @Test("a wrong secret is refused by the service with its own code, naming the operation and key")
    func wrongSecretIsRefused() async throws {
        let store = try await Self.store(.s3, secret: "not-the-secret")
        do {
            try await store.upload([1, 2, 3], to: "segments/x")
            Issue.record("the upload was accepted")
        } catch let error as ObjectStoreError {
            guard case .refused(let operation, let key, let status, let code, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(operation == "upload" && key == "segments/x" && status == 403)
            #expect(code == "SignatureDoesNotMatch")
        }
    }

    @Test("locations: s3:// with endpoint and region, credentials from the environment, folders; precise refusals")
    func locations() throws {
        let environment = ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"]
        let s3 = try #require(try ObjectStoreLocation.open("s3://patents-index/cluster/one?endpoint=http://127.0.0.1:9000&region=eu-west-1",
                                                          environment: environment) as? S3ObjectStore)
        #expect(s3.configuration.bucket == "patents-index" && s3.configuration.prefix == "cluster/one")
        #expect(s3.configuration.endpoint == "http://127.0.0.1:9000" && s3.configuration.region == "eu-west-1")
        #expect(s3.configuration.accessKey == "id" && s3.configuration.secretKey == "secret")
        let aws = try #require(try ObjectStoreLocation.open("s3://patents-index", environment: environment.merging(["AWS_REGION": "ap-south-1"]) { $1 })
            as? S3ObjectStore)
        #expect(aws.configuration.endpoint == "https://s3.ap-south-1.amazonaws.com" && aws.configuration.prefix == "")
        let folder = try temporaryDirectory("objects-location")
        #expect((try ObjectStoreLocation.open("file://" + folder, environment: [:]) as? FolderObjectStore)?.root == folder)
        #expect(throws: ObjectStoreError.invalidLocation("s3://patents-index needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")) {
            try ObjectStoreLocation.open("s3://patents-index", environment: [:])
        }
        #expect(throws: ObjectStoreError.invalidLocation("unknown or empty parameter \"bucket\" in s3://patents-index?bucket=x (endpoint, region)")) {
            try ObjectStoreLocation.open("s3://patents-index?bucket=x", environment: environment)
        }
        #expect(throws: ObjectStoreError.invalidLocation("bucket \"Patents\": 3–63 lowercase letters, digits, - and .")) {
            try ObjectStoreLocation.open("s3://Patents", environment: environment)
        }
    }
}
