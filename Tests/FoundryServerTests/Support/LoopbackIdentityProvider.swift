import Foundation
@testable import FoundryServer
import Hummingbird
import HummingbirdTesting
import JWTKit
import Synchronization

/// A real OpenID Connect provider on a loopback port, as far as a resource
/// server sees one: `/.well-known/openid-configuration` naming `jwks_uri`,
/// and a key set that can be rotated, given a `Cache-Control`, or taken
/// down (503). It signs ES256 tokens with the keys it has made.
final class LoopbackIdentityProvider: Sendable {
    private struct State {
        var issuer = ""
        var served: [String] = []
        var cacheControl = "max-age=3600"
        var down = false
        var keySetFetches = 0
    }

    private let state = Mutex(State())
    private let keys = Mutex<[String: ES256PrivateKey]>([:])
    private let signers = JWTKeyCollection()

    var issuer: String { state.withLock { $0.issuer } }
    /// How many times the key set was fetched.
    var keySetFetches: Int { state.withLock { $0.keySetFetches } }

    /// Makes key `kid` and serves it (beside the ones served already unless `replacing`).
    func rotate(to kid: String, replacing: Bool = true) async {
        let key = ES256PrivateKey()
        keys.withLock { $0[kid] = key }
        await signers.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        state.withLock { $0.served = (replacing ? [] : $0.served) + [kid] }
    }

    /// Makes key `kid` without serving it (a token no published key signed).
    func unpublished(_ kid: String) async {
        let key = ES256PrivateKey()
        keys.withLock { $0[kid] = key }
        await signers.add(ecdsa: key, kid: JWKIdentifier(string: kid))
    }

    func set(cacheControl: String) { state.withLock { $0.cacheControl = cacheControl } }
    func set(down: Bool) { state.withLock { $0.down = down } }

    /// A token for `user` signed with key `kid`, issued by this provider.
    func token(_ user: String, kid: String, issuer: String? = nil) async throws -> String {
        let claims = FoundryClaims(user: user, expires: Date().addingTimeInterval(600), issuer: issuer ?? self.issuer, authTime: Date(), amr: ["pwd", "otp"])
        return try await signers.sign(claims, kid: JWKIdentifier(string: kid))
    }

    private func keySet() throws -> Data {
        let served = state.withLock { $0.served }
        let jwks = try served.map { kid -> [String: String] in
            guard let key = keys.withLock({ $0[kid] }), let (x, y) = key.publicKey.parameters else { throw ProviderDown() }
            return ["kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig", "x": x, "y": y]
        }
        return try JSONSerialization.data(withJSONObject: ["keys": jwks])
    }

    private struct ProviderDown: Error {}

    /// Serves on a free loopback port while `body` runs; `body` gets the issuer URL.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ -> Response in
            let (issuer, down) = self.state.withLock { ($0.issuer, $0.down) }
            guard !down else { return Response(status: .serviceUnavailable) }
            let document = try JSONSerialization.data(withJSONObject: ["issuer": issuer, "jwks_uri": issuer + "/keys", "id_token_signing_alg_values_supported": ["ES256"]])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        router.get("/keys") { _, _ -> Response in
            let (down, cacheControl) = self.state.withLock { state in
                if !state.down { state.keySetFetches += 1 }
                return (state.down, state.cacheControl)
            }
            guard !down else { return Response(status: .serviceUnavailable) }
            return Response(status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: cacheControl],
                            body: .init(byteBuffer: ByteBuffer(bytes: try self.keySet())))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let issuer = "http://127.0.0.1:\(client.port!)"
            self.state.withLock { $0.issuer = issuer }
            try await body(issuer)
        }
    }
}
