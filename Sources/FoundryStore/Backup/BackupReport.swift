/// What `WorkspaceBackup.run` copied.
public struct BackupReport: Sendable {
    /// One project's cut.
    public struct Project: Sendable, Codable, Equatable {
        public var id: String
        /// The newest version in the copy.
        public var headVersion: Int
        /// How long the project's mutex was held (shared) to read the cut.
        public var lockedSeconds: Double

        enum CodingKeys: String, CodingKey {
            case id
            case headVersion = "head_version"
            case lockedSeconds = "locked_seconds"
        }
    }

    public var projects: [Project] = []
    /// Files written or appended to (a second backup into the same directory writes only what changed).
    public var filesWritten = 0
    public var bytesWritten = 0
    /// Files of an earlier backup the source no longer has (released locks).
    public var filesRemoved = 0
    /// Entries of the root that are not projects and were not copied (`.foundry`, the server's secrets).
    public var notCopied: [String] = []

    /// The longest hold of any project's mutex.
    public var longestLockSeconds: Double { projects.map(\.lockedSeconds).max() ?? 0 }
}
