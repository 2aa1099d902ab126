import Foundation
import HTTPTypes
import PatentTestSupport
import Testing
@testable import PatentAccounts
@testable import PatentHTTP
@testable import PatentTasks

/// The security issue's smaller holes: links built from the Host header, links that
/// outlive their owner, files other local users can read, a key prefix taken as a
/// pattern, no way to rotate a secret, and failed authentication outside the platform
/// limit.
@Suite struct SecurityTests {
    static let exportBody = #"{"query_text": "method", "fields": "PN,TTL", "export_type": "csv", "rows": 5}"#

    /// Creates an export as `key`'s client, writes it, returns its download path (no host).
    static func finishedLink(_ server: TestServer, _ api: TestAPI) async throws -> (id: String, url: String) {
        let created = try await api.export(exportBody)
        let id = try #require(created.data["task_id"] as? String, "\(created.message)")
        server.tasks.waitUntilIdle()
        let status = try await api.get("/patent-search/task?task_id=\(id)")
        return (id, try #require(status.data["url"] as? String))
    }

    @Test func linksNameTheBoundAddressNeverTheHostHeader() async throws {
        let server = try TestServer()
        let links = DownloadLinks(publicURL: nil, host: "127.0.0.1", port: 8080)
        try await server.run(links: links) { api in
            let (_, url) = try await Self.finishedLink(server, api)
            #expect(url.hasPrefix("http://127.0.0.1:8080/patent-search/download/"), "\(url)")
        }
        links.bound(host: "127.0.0.1", port: 41_234)
        #expect(links.base == "http://127.0.0.1:41234")
        #expect(DownloadLinks(publicURL: nil, host: "0.0.0.0", port: 80).base == "http://127.0.0.1:80")
        #expect(DownloadLinks(publicURL: nil, host: "::1", port: 80).base == "http://[::1]:80")
        let fixed = DownloadLinks(publicURL: "https://patents.example.org/")
        fixed.bound(host: "127.0.0.1", port: 1)
        #expect(fixed.base == "https://patents.example.org")
        #expect(DownloadLinks.needsPublicURL(host: "0.0.0.0", publicURL: nil))
        #expect(!DownloadLinks.needsPublicURL(host: "0.0.0.0", publicURL: "https://x"))
        #expect(!DownloadLinks.needsPublicURL(host: "127.0.0.1", publicURL: nil))
    }

    @Test func aLinkWorksNoLongerThanItsOwnerMayOrItsTaskIsRevoked() async throws {
        let server = try TestServer()
        let other = try server.makeClient()
        try await server.run { api in
            let owner = api.with(key: other.key)
            let (id, url) = try await Self.finishedLink(server, owner)
            let path = String(url.dropFirst("http://patents.test".count))
            let anonymous = api.with(key: nil)
            #expect(try await anonymous.get(path).status == 200)
            try server.tasks.accounts.disable(other.client.id)
            #expect(try await anonymous.get(path).status == 403)
            try server.tasks.accounts.enable(other.client.id)
            #expect(try await anonymous.get(path).status == 200)
            try server.tasks.accounts.setExpiry(other.client.id, server.clock.now.addingTimeInterval(-1))
            #expect(try await anonymous.get(path).status == 403)
            try server.tasks.accounts.setExpiry(other.client.id, nil)
            #expect(try await anonymous.get(path).status == 200)
            try server.tasks.revoke(id)
            #expect(try await anonymous.get(path).status == 403)
            #expect(!FileManager.default.fileExists(atPath: server.tasks.taskDirectory(id)))
            #expect(throws: ServiceError.self) { try server.tasks.revoke(String(repeating: "0", count: 32)) }
        }
    }

    @Test func theProgramsFilesAreForItsOwnerOnly() throws {
        let data = try temporaryDirectory("modes")
        try FileManager.default.removeItem(atPath: data)
        try runPatents(["import", "--data", data, fixtures + "/epo-ops"])
        try runPatents(["export", "TTL:method OR ABST:method", "--data", data, "--out", data + "/out.csv"])
        var checked = 0
        let walker = FileManager.default.enumerator(atPath: data)!
        for case let name as String in walker {
            let path = data + "/" + name
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int ?? 0) & 0o777
            let isDirectory = attributes[.type] as? FileAttributeType == .typeDirectory
            #expect(mode == (isDirectory ? 0o700 : 0o600), "\(name): \(String(mode, radix: 8))")
            checked += 1
        }
        let top = (try FileManager.default.attributesOfItem(atPath: data)[.posixPermissions] as? Int ?? 0) & 0o777
        #expect(top == 0o700)
        #expect(checked >= 5, "the store, its journal, the index, the lock, tasks.sqlite")
    }

    @Test func keyPrefixesAreMatchedLiterally() throws {
        let server = try TestServer()
        let accounts = server.tasks.accounts
        let other = try server.makeClient()
        let second = try accounts.createKey(for: other.client.id)
        #expect(throws: AccountStore.Failure.unknownKey("sk-%%")) { try accounts.revokeKeys(of: other.client.id, prefix: "sk-%%") }
        #expect(throws: AccountStore.Failure.unknownKey("sk-__")) { try accounts.revokeKeys(of: other.client.id, prefix: "sk-__") }
        #expect(throws: AccountStore.Failure.self) { try accounts.revokeKeys(of: other.client.id, prefix: "") }
        #expect(try accounts.authenticate(bearer: other.key, apikey: nil).id == other.client.id)
        #expect(try accounts.authenticate(bearer: second, apikey: nil).id == other.client.id)
        #expect(try accounts.revokeKeys(of: other.client.id, prefix: String(second.prefix(11))) == 1)
        #expect(throws: ServiceError.self) { try accounts.authenticate(bearer: second, apikey: nil) }
        #expect(try accounts.authenticate(bearer: other.key, apikey: nil).id == other.client.id)
    }

    @Test func rotatingASecretEndsTheOldOneAndItsTokens() throws {
        let server = try TestServer()
        let accounts = server.tasks.accounts
        let other = try server.makeClient()
        let token = try accounts.issueToken(clientID: other.client.id, secret: other.secret)
        #expect(try accounts.authenticate(bearer: token.token, apikey: other.client.id).id == other.client.id)
        let fresh = try accounts.rotateSecret(other.client.id)
        #expect(fresh != other.secret)
        #expect(throws: ServiceError.authentication()) { try accounts.issueToken(clientID: other.client.id, secret: other.secret) }
        #expect(throws: ServiceError.authentication()) { try accounts.authenticate(bearer: token.token, apikey: other.client.id) }
        #expect(try accounts.issueToken(clientID: other.client.id, secret: fresh).clientID == other.client.id)
        #expect(throws: AccountStore.Failure.unknownClient("nobody")) { try accounts.rotateSecret("nobody") }
    }

    @Test func failedAuthenticationCountsAgainstThePlatformLimit() async throws {
        var limits = PlatformLimits()
        limits.platformPerSecond = 2
        let server = try TestServer(limits: limits)
        try await server.run { api in
            let path = "/search/patent/query-search-count/v2", body = #"{"query_text": "method"}"#
            for _ in 0..<2 { #expect(try await api.with(key: "sk-wrong").post(path, body).code == 67200003) }
            let refused = try await api.post(path, body)
            #expect(refused.status == 429 && refused.code == 67200001)
        }
    }
}
