import Foundation
import FoundryStore
import JWTKit

/// Signs and verifies the server's HS256 bearer tokens.
///
/// The secret comes from `FOUNDRY_JWT_SECRET`, or from `<root>/.foundry/jwt-secret`,
/// created (mode 0600, 32 random bytes, hex) on first use so that
/// `foundry token` and `foundry serve` on one root agree without set-up.
public struct TokenAuthority: Sendable {
    private let keys: JWTKeyCollection

    /// HS256 needs a key at least as long as its 32-byte digest; shorter secrets are refused.
    public static let minimumSecretBytes = 32

    public init(secret: String) async throws {
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            throw APIError.internal("the JWT secret must be at least \(Self.minimumSecretBytes) bytes (FOUNDRY_JWT_SECRET is \(secret.utf8.count))")
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// The secret for a workspace: the environment's, or the root's secret file (created when missing).
    public static func secret(for workspace: Workspace, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let secret = environment["FOUNDRY_JWT_SECRET"], !secret.isEmpty { return secret }
        return try SecretFile(directory: workspace.privateDirectory).loadOrCreate()
    }

    /// A signed token for `user`, valid for `lifetime` seconds.
    public func issue(user: String, name: String? = nil, session: String? = nil, lifetime: TimeInterval = 12 * 3600) async throws -> String {
        try await keys.sign(FoundryClaims(user: user, name: name, session: session, expires: Date().addingTimeInterval(lifetime)))
    }

    /// The verified claims of `token`; throws when the signature, algorithm or expiry is wrong.
    public func verify(_ token: String) async throws -> FoundryClaims {
        try await keys.verify(token, as: FoundryClaims.self)
    }
}
