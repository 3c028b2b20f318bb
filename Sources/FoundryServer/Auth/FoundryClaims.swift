import JWTKit

/// The JWT payload the server accepts: `sub` is the user id, `exp` is
/// required, `name` is shown in presence, `sid` optionally names a session.
public struct FoundryClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim?
    public var name: String?
    public var sid: String?

    public init(user: String, name: String? = nil, session: String? = nil, expires: Date, issued: Date = Date()) {
        sub = SubjectClaim(value: user)
        exp = ExpirationClaim(value: expires)
        iat = IssuedAtClaim(value: issued)
        self.name = name
        sid = session
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard !sub.value.isEmpty, sub.value.count <= 200 else {
            throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub must be 1-200 characters")
        }
    }
}

import Foundation
