import Foundation

/// The public keys signatures are checked with: a JWKS document
/// (`{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": …, "kid": …}]}`), the
/// form the server publishes, or PEM `PUBLIC KEY` blocks.
///
/// A key signs under the id its own bytes give (`ServerPublicKey.kid`); a
/// `kid` written in the document is not trusted.
public struct SigningKeySet: Sendable, Equatable {
    public private(set) var keys: [ServerPublicKey]

    public init(_ keys: [ServerPublicKey] = []) {
        self.keys = []
        for key in keys { insert(key) }
    }

    /// Reads a JWKS document or PEM public keys; `nil` when `data` holds no Ed25519 key.
    public init?(parsing data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            let blocks = text.components(separatedBy: "-----END PUBLIC KEY-----").dropLast()
            self.init(blocks.compactMap { ServerPublicKey(pem: $0 + "-----END PUBLIC KEY-----") })
        } else if case .object(let document)? = try? JSONDecoder().decode(JSONValue.self, from: data), case .array(let entries)? = document["keys"] {
            self.init(entries.compactMap { entry in
                guard case .object(let jwk) = entry else { return nil }
                return ServerPublicKey(jwk: jwk)
            })
        } else {
            return nil
        }
        if keys.isEmpty { return nil }
    }

    /// The set in the file at `path`; `corrupt` when it holds no key, `nil` when there is no file.
    public static func read(_ path: String) throws -> SigningKeySet? {
        guard let data = try FileIO.read(path) else { return nil }
        guard let set = SigningKeySet(parsing: data) else {
            throw StoreError.corrupt(path: path, reason: "holds no Ed25519 public key (a JWKS document or PEM PUBLIC KEY blocks)")
        }
        return set
    }

    public mutating func insert(_ key: ServerPublicKey) {
        if !keys.contains(key) { keys.append(key) }
    }

    public func key(_ kid: String) -> ServerPublicKey? {
        keys.first { $0.kid == kid }
    }

    /// The set as a JWKS document (canonical JSON).
    public var jwks: Data {
        (try? CanonicalJSON.encode(JSONValue.object(["keys": .array(keys.map { .object($0.jwk) })]))) ?? Data()
    }

    /// Whether `signature` is a trusted key's signature of `message`.
    public func check(_ signature: ServerSignature, over message: Data) -> SignatureCheck {
        guard let key = key(signature.kid) else { return .unknownKey(signature.kid) }
        guard signature.alg == "EdDSA", let bytes = Data(base64Encoded: signature.value), key.isValid(bytes, for: message) else { return .invalid }
        return .valid
    }
}
