import Foundation
import FoundryStore
import FoundryWatch
import Logging
import ServiceLifecycle
import Synchronization

/// The background half of the server: the inotify watcher feeding the hubs,
/// the reaper that ends expired locks (whose tombstones the watcher then
/// broadcasts as `LOCK_RELEASED` with reason `expired`), and the lease
/// keeper that refreshes the locks of sessions with a connected socket.
struct RealtimeService: Service {
    let watcher: WorkspaceWatcher
    let registry: HubRegistry
    let workspace: Workspace
    /// The reaper's pool (it takes project mutexes).
    let io: BlockingIO
    /// The event pump's pool: file reads only, never a mutex or an fsync.
    let reads: BlockingIO
    let reapInterval: Duration
    /// The lease a connected session's locks are refreshed to.
    let lockTTL: TimeInterval
    let metrics: FoundryMetrics
    let logger: Logger
    /// A standby reaps no lock until it is promoted: its root belongs to the replicator.
    var standby: Standby? = nil

    /// Runs until graceful shutdown. A watcher that stops on its own does not
    /// take the server down: saves and reads stay correct (the files are the
    /// truth), broadcasts stop, the error is logged and `/health` answers 503
    /// so that a supervisor can restart the process.
    func run() async throws {
        let watcher = watcher
        let pump = EventPump(registry: registry, workspace: workspace, io: reads, metrics: metrics)
        let logger = logger
        let shuttingDown = ShutdownFlag()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await pump.run(watcher.events)
                    if !shuttingDown.isSet { logger.error("the inotify watcher stopped: no more broadcasts; /health reports 503") }
                }
                group.addTask { await cancelWhenGracefulShutdown { await reapUntilCancelled() } }
                group.addTask { await cancelWhenGracefulShutdown { await keepLeasesUntilCancelled() } }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            shuttingDown.set()
            watcher.stop()
        }
        watcher.stop()
    }

    private func reapUntilCancelled() async {
        let workspace = workspace
        while !Task.isCancelled {
            try? await Task.sleep(for: reapInterval)
            guard standby?.isPrimary ?? true else { continue }
            let reaped = (try? await io.run { try workspace.reapExpiredLocks() }) ?? []
            for (project, lock) in reaped {
                metrics.lockReleased(lock)
                logger.info("lock released", metadata: [
                    "project": "\(project)", "field": "\(lock.field)", "user": "\(lock.user)", "session": "\(lock.session)",
                    "token": "\(lock.token)", "reason": "expired",
                ])
            }
        }
    }
}

/// Set once graceful shutdown began (so a stopping watcher is expected).
final class ShutdownFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}

extension Workspace {
    /// Ends every expired lock in every project.
    func reapExpiredLocks(now: Date = Date()) throws -> [(ProjectID, FieldLock)] {
        try projectIDs().flatMap { id in try project(id).locks.reapExpired(now: now).map { (id, $0) } }
    }
}
