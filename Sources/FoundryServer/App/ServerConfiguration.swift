import Foundation
import FoundryStore

/// Everything `foundry serve` can set.
public struct ServerConfiguration: Sendable {
    /// The workspace root (default `./workspaces`).
    public var root: String
    public var host: String
    public var port: Int
    /// Largest request body accepted; more is refused with 413.
    public var maxBodyBytes: Int
    /// How long a field lock lives unless refreshed.
    public var lockTTL: TimeInterval
    /// `FOUNDRY_JWT_SECRET` when set; otherwise the root's secret file.
    public var jwtSecret: String?
    /// How often expired locks are looked for and removed.
    public var reapInterval: TimeInterval = 1
    /// Events kept per project for `?since=` resume.
    public var eventLogSize = 1000
    /// Frames queued for one socket before it is disconnected as too slow.
    public var clientQueueLimit = 1024
    /// Largest WebSocket message a client may send.
    public var maxMessageBytes = 64 * 1024
    /// Seconds between server pings; a socket that stops answering is closed.
    public var pingInterval: TimeInterval = 20
    /// Issuer and audience every token must carry (unchecked when `nil`).
    public var tokenPolicy = TokenPolicy()
    /// A JWKS file of RS256/ES256 public keys accepted besides the HS256 secret.
    public var jwksPath: String?
    /// The test runner: a shell command in which `{payload}` and `{run}` become
    /// the run's (quoted, absolute) payload and run directories; `nil`: only external runs.
    public var runner: String?
    /// Seconds between SIGTERM and SIGKILL when a run is cancelled.
    public var runnerGrace: TimeInterval = 5
    /// Largest `console.log` of a run in bytes; later output is discarded and the run marked truncated.
    public var runLogCap = 8 << 20
    /// Origins allowed to embed the web workspace in a frame (CSP `frame-ancestors`); none by default.
    public var webFrameAncestors: [String] = []
    /// The shell that runs the runner command (`-c`); a setting for tests of a shell that cannot start.
    public var runnerShell = "/bin/sh"
    /// Start as a standby: the root is a replica another node's replicator
    /// writes; nothing is changed on it until a client's request promotes
    /// this server (see `Standby`).
    public var standby = false
    /// The server's Ed25519 signing key (PKCS#8 PEM, mode 0600), e.g. on
    /// another mount; `nil`: `<root>/.foundry/signing-key`, created on first start.
    public var signingKeyPath: String?
    /// What signing (and freezing) asks of a token: RFC 9470 step-up.
    public var signing = SigningPolicy()
    /// A signed checkpoint of a project's audit trail every this many entries…
    public var checkpointEvery = 100
    /// … and, while entries are written, at least every this many seconds.
    public var checkpointInterval: TimeInterval = 60
    /// An OpenID Connect identity provider whose keys are found by discovery.
    public var provider: ProviderConfiguration?

    /// How the workspace signs (see `NotaryOptions`).
    public var notaryOptions: NotaryOptions {
        NotaryOptions(keyPath: signingKeyPath, checkpointEvery: checkpointEvery)
    }
    /// Timeouts, connection limits and rate limits (docs/limits.md).
    public var limits = ServerLimits()

    public init(root: String = "./workspaces", host: String = "127.0.0.1", port: Int = 8080,
                maxBodyBytes: Int = 16 << 20, lockTTL: TimeInterval = 300, jwtSecret: String? = nil) {
        self.root = root
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.lockTTL = lockTTL
        self.jwtSecret = jwtSecret
    }
}
