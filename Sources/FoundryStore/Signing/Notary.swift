import Foundation
import Synchronization

/// The server key at work on one workspace root: it signs signature
/// records, audit checkpoints and bundle seals, and keeps track of the
/// audit entries this process appended that no checkpoint covers yet.
public final class Notary: Sendable {
    public let key: ServerKey
    /// Every key that has signed on this root, the current one included
    /// (`<root>/.foundry/foundry-keys.json`): what the server publishes.
    public let keys: SigningKeySet
    /// A checkpoint is written when an append brings a trail to a multiple of this many entries.
    public let checkpointEvery: Int
    private let unsealed = Mutex<[ProjectID: AuditHead]>([:])

    init(key: ServerKey, keys: SigningKeySet, checkpointEvery: Int) {
        self.key = key
        self.keys = keys
        self.checkpointEvery = max(1, checkpointEvery)
    }

    /// Loads the key (`options.keyPath`, or `<root>/.foundry/signing-key`,
    /// created on first use) and records its public half among the root's keys.
    static func open(root: String, options: NotaryOptions) throws -> Notary {
        let files = KeyFiles(root: root)
        let key: ServerKey
        if let path = options.keyPath {
            try KeyFiles.requirePrivate(path)
            key = try ServerKey.load(from: path)
        } else {
            key = try ServerKey.loadOrCreate(at: files.signingKey)
        }
        return Notary(key: key, keys: try files.register(key.publicKey), checkpointEvery: options.checkpointEvery)
    }

    /// Notes that `head` was appended to `project`'s trail; `true` when a checkpoint is due for it.
    func appended(_ head: AuditHead, to project: ProjectID) -> Bool {
        unsealed.withLock { $0[project] = head }
        return head.entries % checkpointEvery == 0
    }

    /// Notes that a checkpoint of `project` covers its trail up to `entries`.
    func sealed(_ project: ProjectID, through entries: Int) {
        unsealed.withLock { pending in
            if let head = pending[project], head.entries <= entries { pending[project] = nil }
        }
    }

    /// The projects whose newest entry appended here has no checkpoint yet, with that entry.
    public func pending() -> [ProjectID: AuditHead] {
        unsealed.withLock { $0 }
    }
}

/// How a workspace signs: which key, and how often audit trails are checkpointed.
public struct NotaryOptions: Sendable, Equatable {
    /// A PKCS#8 PEM Ed25519 key kept elsewhere (mode 0600 or stricter);
    /// `nil`: `<root>/.foundry/signing-key`, created on first use.
    public var keyPath: String?
    public var checkpointEvery: Int

    public init(keyPath: String? = nil, checkpointEvery: Int = 100) {
        self.keyPath = keyPath
        self.checkpointEvery = checkpointEvery
    }
}

/// An audit trail's length and the SHA-256 of its last line (newline
/// included): what a checkpoint signs.
public struct AuditHead: Sendable, Equatable {
    public var entries: Int
    public var sha256: String

    public init(entries: Int, sha256: String) {
        self.entries = entries
        self.sha256 = sha256
    }
}
