import Crypto
import Foundation

/// The public half of a server key: what checks its signatures.
///
/// Its id (`kid`) is the RFC 7638 thumbprint of its JWK, so the same key
/// has the same id wherever it is published.
public struct ServerPublicKey: Sendable, Hashable {
    /// The 32 bytes of the Ed25519 public key.
    public let raw: Data

    init(raw: Data) {
        self.raw = raw
    }

    /// The key of a JWK (`{"kty": "OKP", "crv": "Ed25519", "x": …}`); `nil` for any other key.
    public init?(jwk: [String: JSONValue]) {
        guard jwk["kty"]?.string == "OKP", jwk["crv"]?.string == "Ed25519",
              let x = jwk["x"]?.string, let raw = Base64URL.decode(x), raw.count == 32
        else { return nil }
        self.raw = raw
    }

    /// The key of a PEM `PUBLIC KEY` document (SubjectPublicKeyInfo, as `openssl pkey -pubout` prints it).
    public init?(pem: String) {
        guard let der = PEM.decode(pem, label: "PUBLIC KEY"), der.count == PEM.ed25519PublicPrefix.count + 32,
              der.prefix(PEM.ed25519PublicPrefix.count) == PEM.ed25519PublicPrefix
        else { return nil }
        raw = der.suffix(32)
    }

    /// RFC 7638: base64url of the SHA-256 of `{"crv":"Ed25519","kty":"OKP","x":"…"}`.
    public var kid: String {
        let members = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"\(Base64URL.encode(raw))\"}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(members.utf8))))
    }

    /// The key as a JWK with its id, algorithm and use.
    public var jwk: [String: JSONValue] {
        ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(raw)), "kid": .string(kid), "alg": "EdDSA", "use": "sig"]
    }

    /// The key as a PEM `PUBLIC KEY` document, for `openssl pkeyutl -verify -pubin -inkey`.
    public var pem: String {
        PEM.encode(PEM.ed25519PublicPrefix + raw, label: "PUBLIC KEY")
    }

    /// Whether `signature` (raw 64 bytes) is this key's signature of `message`.
    public func isValid(_ signature: Data, for message: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
