import Foundation

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
            stored = try repository.clientWithSecretHash(clientID).map { ($0.client, $0.secretHash) }
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
            // Tokens that ended a day ago are of no use to anyone.
            try repository.insertToken(hash: Credentials.digest(token), clientID: client.id, issuedAt: date, expiresAt: expires,
                                       purgeBefore: date.addingTimeInterval(-86_400))
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
            client = try owner(bearer: bearer, apikey: apikey, at: date).flatMap { try repository.client($0) }
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
    private func owner(bearer: String?, apikey: String?, at date: Date) throws -> String? {
        if let bearer, bearer.hasPrefix("sk-") {
            // A key as the bearer; an apikey beside it must name the same client.
            guard let owner = try repository.keyOwner(hash: Credentials.digest(bearer)) else { return nil }
            return apikey == nil || apikey == owner || apikey == bearer ? owner : nil
        }
        if let bearer {
            guard let apikey, let owner = try repository.tokenOwner(hash: Credentials.digest(bearer), at: date) else { return nil }
            return apikey == owner ? owner : nil
        }
        if let apikey, apikey.hasPrefix("sk-") { return try repository.keyOwner(hash: Credentials.digest(apikey)) }
        return nil
    }
}
