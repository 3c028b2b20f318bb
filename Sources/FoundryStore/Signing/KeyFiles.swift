import Foundation

/// The server's key files under the root's private directory:
///
/// ```
/// <root>/.foundry/signing-key         the Ed25519 private key, PKCS#8 PEM, mode 0600 (unless given by path)
/// <root>/.foundry/foundry-keys.json   the public keys that have signed on this root (JWKS)
/// ```
public struct KeyFiles: Sendable {
    public let directory: String

    public init(root: String) {
        directory = root + "/.foundry"
    }

    public var signingKey: String { directory + "/signing-key" }
    public var publicKeys: String { directory + "/foundry-keys.json" }
    private var mutex: ProjectMutex { ProjectMutex(path: directory + "/.keys.mutex") }

    /// The root's public keys; `nil` when it has none yet.
    public func trustedKeys() throws -> SigningKeySet? {
        try SigningKeySet.read(publicKeys)
    }

    /// Adds `key` to `foundry-keys.json` (kept: a key that signed once must
    /// stay checkable after a rotation), under a lock shared by every process
    /// on the root.
    ///
    /// - Returns: every key of the root.
    func register(_ key: ServerPublicKey) throws -> SigningKeySet {
        try Self.makePrivateDirectory(directory)
        return try mutex.withLock {
            var keys = try trustedKeys() ?? SigningKeySet()
            if keys.key(key.kid) == nil {
                keys.insert(key)
                try FileIO.replace(keys.jwks, at: publicKeys)
            }
            return keys
        }
    }

    /// Creates `directory` readable by its owner only (mode 0700) when it does not exist.
    static func makePrivateDirectory(_ directory: String) throws {
        guard !FileIO.isDirectory(directory) else { return }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw StoreError.system("mkdir", directory) }
        try FileIO.syncDirectory(of: directory)
    }

    /// Refuses a private key file that its group or others may read, as ssh does.
    static func requirePrivate(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError.system("stat", path) }
        guard info.st_mode & 0o077 == 0 else {
            throw StoreError.corrupt(path: path, reason: "the signing key may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
    }
}
