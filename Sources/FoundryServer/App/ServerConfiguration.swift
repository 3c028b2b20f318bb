import Foundation

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
