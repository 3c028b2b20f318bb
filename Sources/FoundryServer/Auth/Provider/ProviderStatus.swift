/// How the identity provider's key set stands, for `/health`.
public struct ProviderStatus: Sendable, Encodable, Equatable {
    public var issuer: String
    /// `ok`; `stale`: the last refresh failed and the last good key set is
    /// still used; `unreachable`: no key set was ever fetched (its tokens are refused).
    public var state: String
    public var keys: Int
    /// The key ids of the set in use.
    public var kids: [String]
    public var fetchedAt: String?
    public var expiresAt: String?
    public var lastError: String?
    /// How many times the key set was fetched since the server started.
    public var fetches: Int

    enum CodingKeys: String, CodingKey {
        case issuer, state, keys, kids, fetches
        case fetchedAt = "fetched_at"
        case expiresAt = "expires_at"
        case lastError = "last_error"
    }
}
