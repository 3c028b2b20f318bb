import Foundation
import FoundryStore
import JWTKit

/// Signs the server's own HS256 tokens and verifies every bearer token.
///
/// Keys: the HS256 secret (`FOUNDRY_JWT_SECRET`, or `<root>/.foundry/jwt-secret`,
/// created mode 0600 on first use so that `foundry token` and `foundry serve`
/// on one root agree without set-up), the RS256/ES256 public keys of a
/// JWKS file (`--jwks`), and those of an identity provider found by OpenID
/// Connect discovery (`--oidc-issuer`; see `ProviderKeys`). A token's header
/// `alg` must be one the configured keys use (`none` never is); tokens for
/// JWKS and provider keys name their key with `kid`. A provider's token must
/// carry its issuer as `iss`.
public struct TokenAuthority: Sendable {
    private let keys: JWTKeyCollection
    private let allowedAlgorithms: Set<String>
    /// The `kid`s of the JWKS file's keys, which `keys` verifies.
    private let fileKeyIDs: Set<String>
    let provider: ProviderKeys?
    public let policy: TokenPolicy

    /// HS256 needs a key at least as long as its 32-byte digest; shorter secrets are refused.
    public static let minimumSecretBytes = 32

    /// - Parameters:
    ///   - jwks: the text of a JWKS document (`{"keys": [...]}`) whose keys carry `kid` and `alg`.
    ///   - provider: the identity provider whose keys OpenID Connect discovery finds.
    public init(secret: String, jwks: String? = nil, provider: ProviderConfiguration? = nil, policy: TokenPolicy = TokenPolicy()) async throws {
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            throw APIError.internal("the JWT secret must be at least \(Self.minimumSecretBytes) bytes (FOUNDRY_JWT_SECRET is \(secret.utf8.count))")
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        var algorithms: Set<String> = ["HS256"]
        var kids: Set<String> = []
        if let jwks {
            let set: JWKS
            do { set = try JSONDecoder().decode(JWKS.self, from: Data(jwks.utf8)) } catch {
                throw APIError.internal("the JWKS file is not a JSON Web Key Set: \(error)")
            }
            for key in set.keys {
                guard let alg = key.algorithm?.rawValue, ["RS256", "ES256"].contains(alg), key.keyIdentifier != nil else {
                    throw APIError.internal("every JWKS key needs a 'kid' and an 'alg' of RS256 or ES256")
                }
                algorithms.insert(alg)
                kids.insert(key.keyIdentifier?.string ?? "")
                try await keys.add(jwk: key, isDefault: false)
            }
        }
        allowedAlgorithms = algorithms
        fileKeyIDs = kids
        self.provider = provider.map(ProviderKeys.init(configuration:))
        self.policy = policy
    }

    /// The secret for a workspace: the environment's, or the root's secret file (created when missing).
    public static func secret(for workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let secret = environment["FOUNDRY_JWT_SECRET"], !secret.isEmpty { return secret }
        return try SecretFile(directory: workspace.privateDirectory).loadOrCreate()
    }

    /// A signed HS256 token for `user`, valid for `lifetime` seconds, carrying
    /// the configured issuer and audience. `auth_time` is `authTime` (default:
    /// now — the user "authenticated" to whoever mints the token), so a fresh
    /// token may sign for the signing window; `amr` and `acr` as given.
    public func issue(user: String, name: String? = nil, session: String? = nil, lifetime: TimeInterval = 12 * 3600,
                      authTime: Date? = Date(), amr: [String]? = nil, acr: String? = nil) async throws -> String {
        try await keys.sign(FoundryClaims(
            user: user, name: name, session: session, expires: Date().addingTimeInterval(lifetime),
            issuer: policy.issuer, audience: policy.audience, authTime: authTime, amr: amr, acr: acr
        ))
    }

    /// The verified claims of `token`; throws `TokenRejection` naming what is wrong.
    public func verify(_ token: String) async throws -> FoundryClaims {
        let (alg, kid) = try Self.header(of: token)
        if alg != "HS256", let provider, !fileKeyIDs.contains(kid ?? "") {
            guard ProviderKeys.algorithms.contains(alg) else {
                throw TokenRejection("algorithm '\(alg)' is not accepted (accepted: \(allowedAlgorithms.union(ProviderKeys.algorithms).sorted().joined(separator: ", ")))")
            }
            let claims = try await provider.verify(token, kid: kid)
            guard claims.iss?.value == provider.issuer else {
                throw TokenRejection("issuer '\(claims.iss?.value ?? "none")' is not the identity provider '\(provider.issuer)'")
            }
            try checkAudience(claims)
            return claims
        }
        guard allowedAlgorithms.contains(alg) else {
            throw TokenRejection("algorithm '\(alg)' is not accepted (accepted: \(allowedAlgorithms.sorted().joined(separator: ", ")))")
        }
        let claims: FoundryClaims
        do { claims = try await keys.verify(token, as: FoundryClaims.self) } catch {
            throw TokenRejection(Self.explain(error))
        }
        if let issuer = policy.issuer, claims.iss?.value != issuer {
            throw TokenRejection("issuer '\(claims.iss?.value ?? "none")' is not '\(issuer)'")
        }
        try checkAudience(claims)
        return claims
    }

    private func checkAudience(_ claims: FoundryClaims) throws {
        if let audience = policy.audience, !(claims.aud?.value.contains(audience) ?? false) {
            throw TokenRejection("audience \(claims.aud?.value ?? []) does not include '\(audience)'")
        }
    }

    /// The identity provider's key set as `/health` shows it; `nil` without one.
    public func providerStatus() async -> ProviderStatus? {
        await provider?.status
    }

    /// jwt-kit's error as one sentence for the 401 body.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? JWTError else { return "\(error)" }
        switch error.errorType {
        case .signatureVerificationFailed: return "the signature does not verify"
        case .claimVerificationFailure:
            switch error.failedClaim {
            case is ExpirationClaim: return "the token expired (exp)"
            case is NotBeforeClaim: return "the token is not valid yet (nbf)"
            case is SubjectClaim: return "sub: \(error.reason ?? "invalid")"
            default: return "a claim failed: \(error.reason ?? "invalid")"
            }
        case .malformedToken: return "malformed token: \(error.reason ?? "")"
        default: return error.reason ?? "\(error.errorType)"
        }
    }

    /// The `alg` and `kid` of a compact JWS header, before any key is chosen.
    static func header(of token: String) throws -> (alg: String, kid: String?) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, var header = parts.first.map(String.init) else { throw TokenRejection("not a compact JWT (header.payload.signature)") }
        header = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        header += String(repeating: "=", count: (4 - header.count % 4) % 4)
        guard let data = Data(base64Encoded: header),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let alg = object["alg"] as? String
        else { throw TokenRejection("the JWT header is not JSON with an 'alg'") }
        return (alg, object["kid"] as? String)
    }
}

/// Why a bearer token was refused; the message goes into the 401 body.
public struct TokenRejection: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
