/// What a token must carry beyond a valid signature and `exp`: the
/// configured issuer (`iss`) and audience (`aud`), each checked only when set.
public struct TokenPolicy: Sendable, Equatable {
    public var issuer: String?
    public var audience: String?

    public init(issuer: String? = nil, audience: String? = nil) {
        self.issuer = issuer
        self.audience = audience
    }
}
