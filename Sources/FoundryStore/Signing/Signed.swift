import Foundation

/// A file the server signed: `{"payload": {…}, "signature": {"alg": "EdDSA", "kid": …, "value": …}}`.
///
/// The signed bytes are the payload as one line of canonical JSON (sorted
/// keys, no spaces, slashes unescaped), computed from the payload as it is in
/// the file, so every member of it is covered, even one this build does not
/// know. Signature records, audit checkpoints and bundle seals are such files.
public struct Signed<Payload: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var payload: Payload
    public var signature: ServerSignature

    /// Signs `payload` with `key`.
    init(signing payload: Payload, with key: ServerKey) throws {
        self.payload = payload
        signature = try key.sign(try CanonicalJSON.encodeLine(try JSONValue(payload)))
    }

    /// The bytes the signature covers in the file `data`: its `payload` member, canonical.
    static func message(of data: Data) throws -> Data {
        guard case .object(let file) = try JSONDecoder().decode(JSONValue.self, from: data), let payload = file["payload"] else {
            throw StoreError.invalidArgument("not a signed file: it has no 'payload' member")
        }
        return try CanonicalJSON.encodeLine(payload)
    }

    /// The file's signature checked with `keys` (the file's bytes, since the decoded value may have dropped members).
    static func check(_ data: Data, keys: SigningKeySet) -> SignatureCheck {
        guard let signed = try? JSONDecoder().decode(Signed.self, from: data), let message = try? message(of: data) else { return .invalid }
        return keys.check(signed.signature, over: message)
    }
}

extension JSONValue {
    /// Any encodable value as a JSON value.
    public init(_ value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: try CanonicalJSON.encodeLine(value))
    }
}
