import Foundation
import JWTKit

/// The JWT payload the server accepts: `sub` is the user id, `exp` is
/// required, `nbf` is honoured, `iss`/`aud` are checked when the server is
/// configured with them, `name` is shown in presence, `sid` optionally names
/// a session.
public struct FoundryClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    public var iss: IssuerClaim?
    public var aud: AudienceClaim?
    public var name: String?
    public var sid: String?

    public init(user: String, name: String? = nil, session: String? = nil, expires: Date, issued: Date = Date(),
                issuer: String? = nil, audience: String? = nil, notBefore: Date? = nil) {
        sub = SubjectClaim(value: user)
        exp = ExpirationClaim(value: expires)
        iat = IssuedAtClaim(value: issued)
        nbf = notBefore.map(NotBeforeClaim.init(value:))
        iss = issuer.map(IssuerClaim.init(value:))
        aud = audience.map { AudienceClaim(value: [$0]) }
        self.name = name
        sid = session
    }

    /// Checks that need no configuration; issuer and audience are checked by `TokenAuthority`.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
        // `@` starts the server's own actor name in the audit trail (`@foundry`).
        guard !sub.value.isEmpty, sub.value.count <= 200, !sub.value.hasPrefix("@") else {
            throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub must be 1-200 characters and not start with '@'")
        }
    }
}
