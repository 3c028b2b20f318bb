import Foundation

/// The `signature` member of a file the server signed: the algorithm, the
/// id of the key, and the Ed25519 signature in standard base64.
public struct ServerSignature: Codable, Sendable, Equatable {
    public var alg: String = "EdDSA"
    public var kid: String
    public var value: String

    public init(kid: String, value: String) {
        self.kid = kid
        self.value = value
    }
}

/// What checking a server signature found.
public enum SignatureCheck: Sendable, Equatable {
    case valid
    /// No trusted key has this id.
    case unknownKey(String)
    /// The key is known and the signature does not verify: the signed bytes changed.
    case invalid
}
