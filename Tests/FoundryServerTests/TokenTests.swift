import Foundation
@testable import FoundryServer
import JWTKit
import Testing

/// Bearer tokens against a server that accepts its HS256 secret and the
/// RS256/ES256 keys of a JWKS file, and requires an issuer and audience.
extension Data {
    /// Base64url without padding (RFC 7515).
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

@Suite("Token verification")
struct TokenTests {
    static let policy = TokenPolicy(issuer: "https://idp.example", audience: "foundry")

    /// A fresh RSA key (made by the real `openssl`) and EC key, their JWKS, and a signer for each.
    struct IdentityProvider {
        let signers = JWTKeyCollection()
        let rsaPublicPEM: String
        let jwks: String

        init() async throws {
            let directory = NSTemporaryDirectory() + "foundry-jwks-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["genrsa", "-out", directory + "/rsa.pem", "2048"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let rsa = try Insecure.RSA.PrivateKey(pem: try String(contentsOfFile: directory + "/rsa.pem", encoding: .utf8))
            let ec = ES256PrivateKey()
            await signers.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
            await signers.add(ecdsa: ec, kid: "ec-1")
            rsaPublicPEM = rsa.publicKey.pemRepresentation
            let (n, e) = try rsa.publicKey.getKeyPrimitives()
            let (x, y) = try #require(ec.publicKey.parameters)
            let keys: [[String: String]] = [
                ["kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": n.base64URL, "e": e.base64URL],
                ["kty": "EC", "kid": "ec-1", "alg": "ES256", "use": "sig", "crv": "P-256", "x": x, "y": y],
            ]
            jwks = String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self)
        }

        func token(_ kid: String, user: String = "alice", issuer: String? = TokenTests.policy.issuer, audience: String? = TokenTests.policy.audience,
                   expires: Date = Date().addingTimeInterval(600), notBefore: Date? = nil) async throws -> String {
            let claims = FoundryClaims(user: user, expires: expires, issuer: issuer, audience: audience, notBefore: notBefore)
            return try await signers.sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    static func unsigned(_ header: [String: String], user: String = "alice") throws -> String {
        let payload: [String: Any] = ["sub": user, "exp": Int(Date().timeIntervalSince1970) + 600, "iss": policy.issuer!, "aud": policy.audience!]
        let encode = { (object: Any) in try JSONSerialization.data(withJSONObject: object).base64URL }
        return try encode(header) + "." + encode(payload) + "."
    }

    @Test("RS256 and ES256 tokens from the JWKS and HS256 tokens with the right issuer and audience are accepted")
    func accepted() async throws {
        let idp = try await IdentityProvider()
        let jwksPath = NSTemporaryDirectory() + "foundry-jwks-" + UUID().uuidString + ".json"
        try idp.jwks.write(toFile: jwksPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: jwksPath) }
        let server = try await TestServer { $0.tokenPolicy = Self.policy; $0.jwksPath = jwksPath }
        defer { server.cleanup() }
        let local = try await TokenAuthority(secret: TestServer.secret, policy: Self.policy)
        try await server.run { api in
            for token in [try await idp.token("rsa-1"), try await idp.token("ec-1"), try await local.issue(user: "alice")] {
                let response = try await api.request(.get, "/projects", token: token)
                #expect(response.status == .ok, "\(response.text)")
            }
        }
    }

    @Test("Forged, expired, not-yet-valid, alg none, HS/RS confusion, wrong issuer or audience and @-subjects are 401, naming why")
    func refused() async throws {
        let idp = try await IdentityProvider()
        let jwksPath = NSTemporaryDirectory() + "foundry-jwks-" + UUID().uuidString + ".json"
        try idp.jwks.write(toFile: jwksPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: jwksPath) }
        let server = try await TestServer { $0.tokenPolicy = Self.policy; $0.jwksPath = jwksPath }
        defer { server.cleanup() }
        // The classic confusion attack: HS256 "signed" with the RSA public key as the HMAC secret, naming the RSA kid.
        let confusion = JWTKeyCollection()
        await confusion.add(hmac: HMACKey(from: idp.rsaPublicPEM), digestAlgorithm: .sha256, kid: "rsa-1")
        let confused = try await confusion.sign(FoundryClaims(user: "alice", expires: Date().addingTimeInterval(600), issuer: Self.policy.issuer, audience: Self.policy.audience), kid: "rsa-1")
        let cases: [(String, String, String)] = [
            ("forged", try await TokenAuthority(secret: "a-different-secret-the-server-never-saw", policy: Self.policy).issue(user: "alice"), "signature"),
            ("expired", try await idp.token("rsa-1", expires: Date().addingTimeInterval(-60)), "exp"),
            ("not yet valid", try await idp.token("ec-1", notBefore: Date().addingTimeInterval(3600)), "nbf"),
            ("alg none", try Self.unsigned(["alg": "none", "typ": "JWT"]), "algorithm 'none' is not accepted"),
            ("alg none with kid", try Self.unsigned(["alg": "none", "kid": "rsa-1"]), "algorithm 'none' is not accepted"),
            ("HS/RS confusion", confused, "signature"),
            ("wrong audience", try await idp.token("rsa-1", audience: "another-app"), "audience"),
            ("no audience", try await idp.token("rsa-1", audience: nil), "audience"),
            ("wrong issuer", try await idp.token("ec-1", issuer: "https://evil.example"), "issuer"),
            ("server actor as subject", try await idp.token("rsa-1", user: "@foundry"), "sub"),
            ("unknown algorithm", try Self.unsigned(["alg": "PS512"]), "not accepted"),
            ("garbage", "not.a.jwt", "header"),
        ]
        try await server.run { api in
            for (name, token, reason) in cases {
                let response = try await api.request(.get, "/projects", token: token)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.errorMessage?.lowercased().contains(reason.lowercased()) == true, "\(name): \(response.errorMessage ?? "")")
            }
        }
    }

    @Test("A JWKS key without kid or with another algorithm is refused at start")
    func badJWKS() async throws {
        let noKid = #"{"keys": [{"kty": "EC", "alg": "ES256", "crv": "P-256", "x": "AA", "y": "AA"}]}"#
        await #expect(throws: APIError.self) { try await TokenAuthority(secret: TestServer.secret, jwks: noKid) }
        await #expect(throws: APIError.self) { try await TokenAuthority(secret: TestServer.secret, jwks: "{not json") }
    }
}
