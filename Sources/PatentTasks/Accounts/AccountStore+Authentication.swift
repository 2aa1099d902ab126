import Foundation
import GRDB

/// API.md "Authentication": client credentials for a token at `/oauth/token`, then
/// `Authorization: Bearer <token>` with `?apikey=<client_id>` on business calls, or a
/// long-lived `sk-` key as the bearer or as `?apikey=` alone.
extension AccountStore {
    public struct IssuedToken: Sendable, Equatable {
        public let token: String
        public let clientID: String
        public let issuedAt: Date
        public let expiresIn: Int
    }

    /// Checks a client's id and secret and issues a token (stored as its SHA-256). An
    /// unknown id costs the same hashing as a wrong secret and gets the same 67200003; a
    /// disabled client is refused the same way; an expired one gets 67200006.
    public func issueToken(clientID: String, secret: String, at date: Date = Date()) throws(ServiceError) -> IssuedToken {
        try issueToken(for: try authenticateClient(clientID: clientID, secret: secret, at: date), at: date)
    }

    /// The client whose id and secret these are (the checks of `issueToken`), without
    /// issuing anything.
    public func authenticateClient(clientID: String, secret: String, at date: Date = Date()) throws(ServiceError) -> ClientAccount {
        let stored: (client: ClientAccount, hash: String)?
        do {
            stored = try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM client WHERE id = ?", arguments: [clientID]).map { (Self.client($0), $0["secret_hash"]) }
            }
        } catch {
            throw ServiceError.serviceError("credentials cannot be checked, please try again later")
        }
        guard Credentials.verifySecret(secret, against: stored?.hash ?? decoy), let client = stored?.client,
              client.disabledAt == nil else { throw ServiceError.authentication() }
        guard !client.isExpired(at: date) else { throw ServiceError.clientExpired() }
        return client
    }

    /// A new token for an authenticated client.
    public func issueToken(for client: ClientAccount, at date: Date = Date()) throws(ServiceError) -> IssuedToken {
        let token = Credentials.newToken()
        let expires = date.addingTimeInterval(TimeInterval(Self.tokenLifetime))
        do {
            try pool.write { db in
                // Tokens that ended a day ago are of no use to anyone.
                try db.execute(sql: "DELETE FROM access_token WHERE expires_at < ?", arguments: [date.timeIntervalSince1970 - 86_400])
                try db.execute(sql: "INSERT INTO access_token (hash, client_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                               arguments: [Credentials.digest(token), client.id, date.timeIntervalSince1970, expires.timeIntervalSince1970])
            }
        } catch {
            throw ServiceError.serviceError("the token could not be stored, please try again later")
        }
        return IssuedToken(token: token, clientID: client.id, issuedAt: date, expiresIn: Self.tokenLifetime)
    }

    /// The client a business call acts for. `bearer` is the token of the Authorization
    /// header (without `Bearer `), `apikey` the query parameter.
    public func authenticate(bearer: String?, apikey: String?, at date: Date = Date()) throws(ServiceError) -> ClientAccount {
        let bearer = bearer.flatMap { $0.isEmpty ? nil : $0 }
        let apikey = apikey.flatMap { $0.isEmpty ? nil : $0 }
        let client: ClientAccount?
        do {
            client = try pool.read { db -> ClientAccount? in
                try Self.owner(db, bearer: bearer, apikey: apikey, at: date).flatMap { try Self.client(db, $0) }
            }
        } catch {
            throw ServiceError.serviceError("credentials cannot be checked, please try again later")
        }
        guard bearer != nil || apikey != nil else {
            throw ServiceError.authentication(
                "authentication required: Authorization: Bearer <token> with ?apikey=<client_id>, or an sk- API key")
        }
        guard let client, client.disabledAt == nil else { throw ServiceError.authentication() }
        guard !client.isExpired(at: date) else { throw ServiceError.clientExpired() }
        return client
    }

    /// The client id the credentials name, when they are valid.
    private static func owner(_ db: Database, bearer: String?, apikey: String?, at date: Date) throws -> String? {
        if let bearer, bearer.hasPrefix("sk-") {
            // A key as the bearer; an apikey beside it must name the same client.
            guard let owner = try keyOwner(db, bearer) else { return nil }
            return apikey == nil || apikey == owner || apikey == bearer ? owner : nil
        }
        if let bearer {
            guard let apikey, let owner = try String.fetchOne(db, sql: """
                SELECT client_id FROM access_token WHERE hash = ? AND expires_at > ?
                """, arguments: [Credentials.digest(bearer), date.timeIntervalSince1970]) else { return nil }
            return apikey == owner ? owner : nil
        }
        if let apikey, apikey.hasPrefix("sk-") { return try keyOwner(db, apikey) }
        return nil
    }

    private static func keyOwner(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT client_id FROM api_key WHERE hash = ? AND revoked_at IS NULL",
                            arguments: [Credentials.digest(key)])
    }
}
