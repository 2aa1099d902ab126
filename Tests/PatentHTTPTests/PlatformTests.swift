import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import PatentAccounts
@testable import PatentTasks
import PatentTestSupport
import GRDB
import Testing
@testable import PatentHTTP

let countBody = #"{"query_text": "method"}"#
let countPath = "/search/patent/query-search-count/v2"

/// `POST /oauth/token` and the credentials of business calls (API.md "Authentication").
@Suite struct AuthenticationTests {
    @Test func theTokenEndpointAnswersAsPatSnapAndItsTokenOpensBusinessCalls() async throws {
        let server = try TestServer()
        let other = try server.makeClient()
        try await server.run { api in
            let anonymous = api.with(key: nil)
            let issued = try await anonymous.post("/oauth/token", "grant_type=client_credentials",
                                                  contentType: "application/x-www-form-urlencoded", headers: basic(other.client.id, other.secret))
            #expect(issued.status == 200)
            #expect(Set(issued.json.keys) == ["token", "token_type", "expires_in", "status", "issued_at"])
            #expect(issued.json["token_type"] as? String == "BearerToken")
            #expect(issued.json["expires_in"] as? Int == 1799)
            #expect(issued.json["status"] as? String == "approved")
            #expect(issued.json["issued_at"] as? String == String(Int64(server.clock.now.timeIntervalSince1970 * 1000)))
            let token = try #require(issued.json["token"] as? String)
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

            let counted = try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody, headers: bearer)
            #expect(counted.ok && counted.data["total_search_result_count"] as? Int == 47)
            // The apikey must be there and name the token's client.
            for query in ["", "?apikey=\(server.client.id)", "?apikey=nobody"] {
                let refused = try await anonymous.post(countPath + query, countBody, headers: bearer)
                #expect(refused.status == 401 && refused.code == 67200003, "\(query)")
            }
            // Valid for 1799 s.
            server.clock.advance(1798)
            #expect(try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody, headers: bearer).ok)
            server.clock.advance(1)
            let expired = try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody, headers: bearer)
            #expect(expired.status == 401 && expired.code == 67200003)
            #expect(expired.message == "access token expired or authentication error")
            // Disabling a client revokes its tokens at once.
            let fresh = try await anonymous.post("/oauth/token", "grant_type=client_credentials",
                                                 contentType: "application/x-www-form-urlencoded", headers: basic(other.client.id, other.secret))
            let renewed: HTTPFields = [.authorization: "Bearer \(try #require(fresh.json["token"] as? String))"]
            #expect(try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody, headers: renewed).ok)
            try server.tasks.accounts.disable(other.client.id)
            let revoked = try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody, headers: renewed)
            #expect(revoked.status == 401 && revoked.code == 67200003)
        }
    }

    @Test func aRefusedTokenRequestNeverTellsWhetherTheClientExists() async throws {
        let server = try TestServer()
        let other = try server.makeClient()
        try await server.run { api in
            let anonymous = api.with(key: nil)
            let form = "application/x-www-form-urlencoded"
            let wrongSecret = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: form,
                                                       headers: basic(other.client.id, "not-the-secret"))
            let unknownID = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: form,
                                                     headers: basic("0123456789abcdef0123456789abcdef", "whatever"))
            for answer in [wrongSecret, unknownID] {
                #expect(answer.status == 401)
                #expect(answer.code == 67200003)
                #expect(answer.ok == false)
            }
            #expect(wrongSecret.message == unknownID.message)
            let noCredentials = try await anonymous.post("/oauth/token", "grant_type=client_credentials", contentType: form)
            #expect(noCredentials.status == 401 && noCredentials.code == 67200003)
            let wrongGrant = try await anonymous.post("/oauth/token", "grant_type=password", contentType: form,
                                                      headers: basic(other.client.id, other.secret))
            #expect(wrongGrant.code == 68300004 && wrongGrant.message.contains("grant_type"))
            // Credentials are checked before grant_type: without valid ones, a wrong grant is 401 too.
            let wrongGrantNoCredentials = try await anonymous.post("/oauth/token", "grant_type=password", contentType: form)
            let wrongGrantWrongSecret = try await anonymous.post("/oauth/token", "grant_type=password&client_id=\(other.client.id)&client_secret=x",
                                                                 contentType: form)
            for answer in [wrongGrantNoCredentials, wrongGrantWrongSecret] { #expect(answer.status == 401 && answer.code == 67200003) }
            // Credentials as form fields work too.
            let inForm = try await anonymous.post(
                "/oauth/token", "grant_type=client_credentials&client_id=\(other.client.id)&client_secret=\(other.secret)", contentType: form)
            #expect(inForm.json["token"] is String)
        }
    }

    @Test func skKeysWorkAsBearerOrAsApikeyUntilRevoked() async throws {
        let server = try TestServer()
        let other = try server.makeClient()
        try await server.run { api in
            let anonymous = api.with(key: nil)
            #expect(try await anonymous.post(countPath + "?apikey=\(other.key)", countBody).ok)
            #expect(try await anonymous.post(countPath, countBody, headers: [.authorization: "Bearer \(other.key)"]).ok)
            #expect(try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody,
                                             headers: [.authorization: "Bearer \(other.key)"]).ok)
            // A key with another client's apikey is a mismatch.
            let mismatched = try await anonymous.post(countPath + "?apikey=\(server.client.id)", countBody,
                                                      headers: [.authorization: "Bearer \(other.key)"])
            #expect(mismatched.code == 67200003)
            #expect(try server.tasks.accounts.revokeKeys(of: other.client.id, prefix: String(other.key.prefix(11))) == 1)
            let revoked = try await anonymous.post(countPath + "?apikey=\(other.key)", countBody)
            #expect(revoked.status == 401 && revoked.code == 67200003)
            // The client id alone is no credential.
            let idOnly = try await anonymous.post(countPath + "?apikey=\(other.client.id)", countBody)
            #expect(idOnly.status == 401 && idOnly.code == 67200003)
        }
    }

    @Test func nothingOfTheAPIIsServedWithoutCredentials() async throws {
        try await TestServer().run { api in
            let anonymous = api.with(key: nil)
            let export = #"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 1}"#
            for (path, body) in [(countPath, countBody), ("/search/patent/query-search-patent/v2", countBody),
                                 ("/patent-search/export/V2", export), ("/patent-search/export", export)] {
                let answer = try await anonymous.post(path, body)
                #expect(answer.status == 401 && answer.code == 67200003, "\(path)")
                #expect(answer.header("WWW-Authenticate") == #"Bearer realm="patents""#)
                #expect(answer.message.hasPrefix("authentication required"))
            }
            let status = try await anonymous.get("/patent-search/task?task_id=\(String(repeating: "a", count: 32))")
            #expect(status.status == 401)
        }
    }
}

/// Every platform error code with its HTTP status (API.md's table).
@Suite struct PlatformErrorTests {
    let export = #"{"query_text": "method", "fields": "PN,TTL", "export_type": "csv", "rows": 5}"#

    @Test func expiredAndDisabledClients() async throws {
        let server = try TestServer()
        let expiring = try server.makeClient()
        let disabled = try server.makeClient()
        try server.tasks.accounts.setExpiry(expiring.client.id, server.clock.now.addingTimeInterval(60))
        try server.tasks.accounts.disable(disabled.client.id)
        try await server.run { api in
            #expect(try await api.with(key: expiring.key).post(countPath, countBody).ok)
            server.clock.advance(60)
            let expired = try await api.with(key: expiring.key).post(countPath, countBody)
            #expect(expired.status == 403 && expired.code == 67200006 && expired.message == "this client has expired")
            let off = try await api.with(key: disabled.key).post(countPath, countBody)
            #expect(off.status == 401 && off.code == 67200003)
        }
    }

    @Test func apisAndFieldLevelsOutsideThePackage() async throws {
        let server = try TestServer()
        let counting = try server.makeClient { $0.apis = [.count] }
        let levelOne = try server.makeClient { $0.maxLevel = 1 }
        try await server.run { api in
            #expect(try await api.with(key: counting.key).post(countPath, countBody).ok)
            let refused = try await api.with(key: counting.key).export(export)
            #expect(refused.status == 403 && refused.code == 67200004 && refused.message.contains("P055"))
            let preview = try await api.with(key: counting.key).post("/search/patent/query-search-patent/v2", countBody)
            #expect(preview.code == 67200004)
            #expect(try await api.with(key: levelOne.key).export(export).ok)
            let abstract = try await api.with(key: levelOne.key)
                .export(#"{"query_text": "method", "fields": "PN,ABST", "export_type": "csv", "rows": 5}"#)
            #expect(abstract.status == 403 && abstract.code == 67200004)
            #expect(abstract.message == "no permission: field ABST is field level 2; this client's package allows levels up to 1")
            let pdf = try await api.with(key: levelOne.key)
                .export(#"{"query_text": "method", "fields": "PN", "export_type": "pdf", "rows": 5}"#)
            #expect(pdf.code == 67200004 && pdf.message.contains("export_type pdf"))
        }
    }

    @Test func aShortBalanceIs402AndAUsedQuotaIs429() async throws {
        let server = try TestServer()
        let poor = try server.makeClient { $0.balance = 4 }
        let quota = try server.makeClient { $0.dailyQuota = 8 }
        try await server.run { api in
            let short = try await api.with(key: poor.key).export(export)
            #expect(short.status == 402 && short.code == 67200005)
            #expect(short.message == "insufficient balance: this export costs 0.05 (5 patents at level 1, 0.01 each) and the balance is 0.04")
            #expect(try server.tasks.accounts.client(poor.client.id)?.balance == 4)
            #expect(try await api.with(key: quota.key).export(export).ok)
            let over = try await api.with(key: quota.key).export(export)
            #expect(over.status == 429 && over.code == 67200002)
            #expect(over.message.contains("day usage to 10 of 8 patents"))
            #expect(try await api.with(key: quota.key)
                .export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 3}"#).ok)
            // A new UTC day starts a new daily quota.
            server.clock.advance(86_400)
            #expect(try await api.with(key: quota.key).export(export).ok)
        }
    }

    /// Test servers hash with few rounds to stay fast; this is the one check of the real count.
    @Test func secretsAreStoredUnderPBKDF2WithTheProductionRounds() throws {
        let accounts = try AccountStore(directory: try temporaryDirectory("secrets"))
        let (client, secret) = try accounts.createClient(AccountStore.NewClient(name: "production"))
        let stored = try accounts.repository.clientWithSecretHash(client.id)?.secretHash
        let parts = try #require(stored).split(separator: "$")
        #expect(parts.count == 4 && parts[0] == "pbkdf2-sha256" && parts[1] == "210000", "\(parts.prefix(2))")
        #expect(parts[2].count == 32 && parts[3].count == 64, "16-byte salt, 32-byte hash, in hex")
        #expect(!stored!.contains(secret))
        #expect(throws: ServiceError.authentication()) { try accounts.issueToken(clientID: client.id, secret: secret + "x") }
        #expect(try accounts.issueToken(clientID: client.id, secret: secret).token.count == 43)
    }

    @Test func aMonthlyQuotaHoldsAcrossDaysAndResetsWithTheCalendarMonth() async throws {
        let server = try TestServer()
        let quota = try server.makeClient { $0.monthlyQuota = 8 }
        // The test clock starts on 2026-09-21 (UTC).
        #expect(server.clock.now == ISO8601DateFormatter().date(from: "2026-09-21T14:13:20Z"))
        try await server.run { api in
            #expect(try await api.with(key: quota.key).export(export).ok)
            let over = try await api.with(key: quota.key).export(export)
            #expect(over.status == 429 && over.code == 67200002)
            #expect(over.message.contains("month usage to 10 of 8 patents"), "\(over.message)")
            server.clock.advance(86_400)  // 2026-09-22: a new day, the same month
            #expect(try await api.with(key: quota.key).export(export).code == 67200002)
            server.clock.advance(9 * 86_400)  // 2026-10-01
            #expect(try await api.with(key: quota.key).export(export).ok)
        }
    }

    @Test func aClientOverItsRateIs429WithRetryAfterAndRateLimitHeaders() async throws {
        let server = try TestServer()
        let slow = try server.makeClient { $0.ratePerSecond = 2; $0.ratePerMinute = 3 }
        try await server.run { api in
            let client = api.with(key: slow.key)
            let first = try await client.post(countPath, countBody)
            #expect(first.ok)
            #expect(first.header("RateLimit-Limit") == "2")
            #expect(first.header("RateLimit-Remaining") == "1")
            #expect(first.header("RateLimit-Policy") == "2;w=1, 3;w=60")
            #expect(try await client.post(countPath, countBody).ok)
            let third = try await client.post(countPath, countBody)
            #expect(third.status == 429 && third.code == 67200007)
            #expect(third.header("Retry-After") == "1")
            #expect(third.header("RateLimit-Remaining") == "0")
            server.clock.advance(1)
            #expect(try await client.post(countPath, countBody).ok)
            // Now the minute's three calls are spent (0.05 of a call came back in that second);
            // one comes back every 20 s.
            let minute = try await client.post(countPath, countBody)
            #expect(minute.code == 67200007 && minute.message.contains("3 calls per minute"))
            #expect(minute.header("Retry-After") == "19")
            server.clock.advance(20)
            #expect(try await client.post(countPath, countBody).ok)
        }
    }

    /// Three nodes: each allows a third (rounded up) of the client's 7 calls a second.
    @Test func eachNodeAllowsItsShareOfTheRates() async throws {
        var limits = PlatformLimits()
        limits.nodes = 3
        #expect([1, 2, 3, 7, 9, 500].map(limits.share) == [1, 1, 1, 3, 3, 167])
        #expect(limits.share(.max) == Int.max / 3 + 1, "no arithmetic traps")
        let server = try TestServer(limits: limits)
        let client = try server.makeClient { $0.ratePerSecond = 7 }
        try await server.run { api in
            let api = api.with(key: client.key)
            for _ in 0..<3 { #expect(try await api.post(countPath, countBody).ok) }
            let refused = try await api.post(countPath, countBody)
            #expect(refused.code == 67200007 && refused.message.contains("3 calls per second"), "\(refused.message)")
        }
    }

    @Test func thePlatformLimitCoversAllClients() async throws {
        var limits = PlatformLimits()
        limits.platformPerSecond = 3
        let server = try TestServer(limits: limits)
        let other = try server.makeClient()
        try await server.run { api in
            #expect(try await api.post(countPath, countBody).ok)
            #expect(try await api.with(key: other.key).post(countPath, countBody).ok)
            #expect(try await api.post(countPath, countBody).ok)
            let refused = try await api.with(key: other.key).post(countPath, countBody)
            #expect(refused.status == 429 && refused.code == 67200001)
            #expect(refused.header("Retry-After") == "1")
            server.clock.advance(1)
            #expect(try await api.with(key: other.key).post(countPath, countBody).ok)
        }
    }
}

/// A client sees only its own tasks; links work without a token but only as signed.
@Suite struct IsolationTests {
    @Test func anotherClientsTaskIsUnknown() async throws {
        let server = try TestServer()
        let other = try server.makeClient()
        try await server.run { api in
            let created = try await api.export(#"{"query_text": "method", "fields": "PN", "export_type": "csv", "rows": 3}"#)
            let id = try #require(created.data["task_id"] as? String)
            server.tasks.waitUntilIdle()
            let own = try await api.get("/patent-search/task?task_id=\(id)")
            #expect(own.data["export_status"] as? String == "SUCCESS")
            let foreign = try await api.with(key: other.key).get("/patent-search/task?task_id=\(id)")
            #expect(foreign.code == 68300004)
            #expect(foreign.message == "task_id \(id) is unknown or has expired")
            let url = try #require(own.data["url"] as? String)
            let path = String(url.dropFirst("http://patents.test".count))
            try await api.with(key: nil).execute(uri: path, method: .get) { #expect($0.status == .ok) }
            try await api.with(key: nil).execute(uri: path.replacingOccurrences(of: "signature=", with: "signature=0"), method: .get) {
                #expect($0.status == .forbidden)
            }
        }
    }
}
