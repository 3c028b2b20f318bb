import Foundation

/// The fence between a standby's root and the replicator that writes into
/// it (`deploy/lsyncd/foundry-replicate`, run by lsyncd on the primary).
///
/// Both sides take an exclusive `flock` of `.foundry/replication.lock`: the
/// replicator for each batch it copies, and only while `.foundry/promoted`
/// does not exist; the standby to create `.foundry/promoted` when it is
/// promoted. So promotion waits for a copy in flight to finish, and no copy
/// starts after it: a promoted root is never written by the old primary
/// again (no split brain), whatever that machine does next.
public struct ReplicaFence: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    var privateDirectory: String { root + "/.foundry" }
    public var lockPath: String { privateDirectory + "/replication.lock" }
    public var promotedPath: String { privateDirectory + "/promoted" }
    /// rsync's `--temp-dir` on the standby (same file system, so its renames stay atomic).
    public var replicaTempDirectory: String { privateDirectory + "/replica-tmp" }

    /// Whether this root was promoted: it is a primary and takes no replication.
    public var isPromoted: Bool { FileIO.exists(promotedPath) }

    /// Closes the fence for good: waits for a copy in flight, then records
    /// the promotion (`{"promoted_at", "pid"}`, `fsync`ed) and removes what
    /// an interrupted copy left in the replicator's temp directory.
    public func promote(now: Date = Date()) throws {
        try FileIO.makeDirectory(privateDirectory)
        // The same exclusive flock(2) a project's mutex is, on the fence's own file.
        try ProjectMutex(path: lockPath).withLock {
            if !isPromoted {
                let record: [String: JSONValue] = ["promoted_at": .string(Timestamp.string(from: now)), "pid": .int(Int(getpid()))]
                try FileIO.replace(try CanonicalJSON.encode(record), at: promotedPath)
            }
            if FileIO.isDirectory(replicaTempDirectory) {
                try FileManager.default.removeItem(atPath: replicaTempDirectory)
                try FileIO.syncDirectory(privateDirectory)
            }
        }
    }
}
