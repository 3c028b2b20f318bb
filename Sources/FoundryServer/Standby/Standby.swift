import Foundation
import FoundryStore
import Logging
import Synchronization

/// A server started with `--standby`: its root is a replica that a
/// replicator on the primary writes (lsyncd running `foundry-replicate`),
/// and the proxy in front (HAProxy, this server marked `backup`) sends it
/// clients only once the primary is down.
///
/// Until then it changes nothing on its root — no start recovery, no lock
/// reaping — and answers `/health` so the proxy counts it ready. The first
/// request that is not `/health`, `/metrics` or `/openapi.yaml` promotes it:
/// the replica fence is closed (a copy in flight finishes, no other
/// starts: `ReplicaFence`), the start recovery repairs what the last copy
/// left half-done (the copy runs in the writers' own order, so what it
/// leaves is a state a crash of the primary could leave), and the server
/// serves as a primary from then on. A root that was promoted once starts
/// as a primary.
final class Standby: Sendable {
    private let workspace: Workspace
    private let io: BlockingIO
    private let logger: Logger
    private let promoted: Atomic<Bool>
    private let promotion = Mutex<Task<Void, any Error>?>(nil)

    /// - Throws: when no shared HS256 secret is given (`FOUNDRY_JWT_SECRET`, or
    ///   `.foundry/jwt-secret` put there by the operator): a standby that made
    ///   its own would refuse every token of the primary's clients after a failover.
    init(workspace: Workspace, io: BlockingIO, logger: Logger, secret: String?) throws {
        guard secret != nil || FileManager.default.fileExists(atPath: SecretFile(directory: workspace.privateDirectory).path) else {
            throw APIError.internal("a standby needs the primary's HS256 secret: set FOUNDRY_JWT_SECRET (the same on both nodes)")
        }
        self.workspace = workspace
        self.io = io
        self.logger = logger
        promoted = Atomic(ReplicaFence(root: workspace.root).isPromoted)
    }

    var isPrimary: Bool { promoted.load(ordering: .acquiring) }

    /// Promotes the standby once; concurrent callers wait for the same promotion.
    /// A failed promotion is tried again by the next request.
    func promote() async throws {
        guard !isPrimary else { return }
        let task = promotion.withLock { current in
            if let current { return current }
            let (workspace, io, logger) = (workspace, io, logger)
            let task = Task {
                try await io.run {
                    logger.notice("standby promoted: closing the replica fence and repairing the root", metadata: ["root": "\(workspace.root)"])
                    try ReplicaFence(root: workspace.root).promote()
                    for repair in try workspace.recover() + workspace.recoverRuns(takingOver: true) { logger.notice("recovery: \(repair)") }
                }
            }
            current = task
            return task
        }
        do {
            try await task.value
            promoted.store(true, ordering: .releasing)
        } catch {
            promotion.withLock { if $0 == task { $0 = nil } }
            logger.error("standby promotion failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
