import Foundation
import JWTKit

/// The JWT payload the server accepts: `sub` is the user id, `exp` is
/// required, `nbf` is honoured, `iss`/`aud` are checked when the server is
/// configured with them, `name` is shown in presence and printed with
/// signatures, `sid` optionally names a session.
///
/// `auth_time` (when the user last authenticated, OpenID Connect Core §2),
/// `amr` (how: RFC 8176 values such as `pwd`, `otp`, `hwk`, `mfa`) and
/// `acr` decide whether the token may sign (RFC 9470 step-up).
public struct FoundryClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    public var iss: IssuerClaim?
    public var aud: AudienceClaim?
    public var name: String?
    public var sid: String?
    public var authTime: Date?
    public var amr: [String]?
    public var acr: String?

    enum CodingKeys: String, CodingKey {
        case sub, exp, nbf, iat, iss, aud, name, sid, amr, acr
        case authTime = "auth_time"
    }

    public init(user: String, name: String? = nil, session: String? = nil, expires: Date, issued: Date = Date(),
                issuer: String? = nil, audience: String? = nil, notBefore: Date? = nil,
                authTime: Date? = nil, amr: [String]? = nil, acr: String? = nil) {
        sub = SubjectClaim(value: user)
        exp = ExpirationClaim(value: expires)
        iat = IssuedAtClaim(value: issued)
        nbf = notBefore.map(NotBeforeClaim.init(value:))
        iss = issuer.map(IssuerClaim.init(value:))
        aud = audience.map { AudienceClaim(value: [$0]) }
        self.name = name
        sid = session
        self.authTime = authTime
        self.amr = amr
        self.acr = acr
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
