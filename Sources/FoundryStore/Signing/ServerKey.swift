import Crypto
import Foundation

/// The server's Ed25519 key pair. It signs every signature record, every
/// checkpoint of an audit trail and every bundle's seal; its public half is
/// published (`GET /.well-known/foundry-keys.json`, `foundry-keys.json` in
/// each bundle) so that anyone can check them without the server.
///
/// On disk the private key is PKCS#8 PEM, the form `openssl genpkey
/// -algorithm ed25519` writes, so `openssl pkey -in signing-key -pubout`
/// prints the public key an auditor compares.
public struct ServerKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    init(seed: Data) throws {
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    public var publicKey: ServerPublicKey {
        ServerPublicKey(raw: privateKey.publicKey.rawRepresentation)
    }

    /// The Ed25519 signature of `message`, named by this key's id.
    public func sign(_ message: Data) throws -> ServerSignature {
        ServerSignature(kid: publicKey.kid, value: try privateKey.signature(for: message).base64EncodedString())
    }

    /// The key as a PKCS#8 PEM document.
    public var pem: String {
        PEM.encode(PEM.ed25519PrivatePrefix + privateKey.rawRepresentation, label: "PRIVATE KEY")
    }

    /// The key in the PKCS#8 PEM file at `path`; `corrupt` when it holds something else.
    public static func load(from path: String) throws -> ServerKey {
        guard let data = try FileIO.read(path) else { throw StoreError.corrupt(path: path, reason: "no signing key at this path") }
        guard let der = PEM.decode(String(decoding: data, as: UTF8.self), label: "PRIVATE KEY"),
              der.count == PEM.ed25519PrivatePrefix.count + 32, der.prefix(PEM.ed25519PrivatePrefix.count) == PEM.ed25519PrivatePrefix
        else { throw StoreError.corrupt(path: path, reason: "not an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)") }
        return try ServerKey(seed: der.suffix(32))
    }

    /// The key at `path`, created (mode 0600, written and `fsync`ed under a
    /// temp name, then linked into place) when it does not exist yet. Two
    /// processes starting at once agree: the first link wins, the other reads it.
    public static func loadOrCreate(at path: String) throws -> ServerKey {
        if FileIO.exists(path) { return try load(from: path) }
        try KeyFiles.makePrivateDirectory((path as NSString).deletingLastPathComponent)
        try FileIO.createExclusively(Data(ServerKey().pem.utf8), at: path, mode: 0o600)
        return try load(from: path)
    }
}
