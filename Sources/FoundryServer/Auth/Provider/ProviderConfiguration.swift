import Foundation

/// Where the identity provider is and how its keys are kept fresh.
public struct ProviderConfiguration: Sendable, Equatable {
    /// The issuer URL; its `/.well-known/openid-configuration` names the key set (`jwks_uri`).
    public var issuer: String
    /// At most one fetch per this many seconds for a token whose `kid` is
    /// unknown, and between attempts after a failed fetch: a stream of forged
    /// tokens cannot make the server hammer the provider.
    public var refetchInterval: TimeInterval
    /// How long a fetch may take before it counts as failed.
    public var timeout: TimeInterval
    /// How long a key set is kept when its response has no `Cache-Control: max-age`.
    public var defaultMaxAge: TimeInterval

    public init(issuer: String, refetchInterval: TimeInterval = 10, timeout: TimeInterval = 5, defaultMaxAge: TimeInterval = 3600) {
        self.issuer = issuer
        self.refetchInterval = refetchInterval
        self.timeout = timeout
        self.defaultMaxAge = defaultMaxAge
    }

    /// `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
    var discoveryURL: String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }
}
