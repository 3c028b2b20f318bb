import Foundation
import FoundryStore
import FoundryWatch
import Logging
import ServiceLifecycle

/// The background half of the server: the inotify watcher feeding the hubs,
/// and the reaper that ends expired locks (whose tombstones the watcher then
/// broadcasts as `LOCK_RELEASED` with reason `expired`).
struct RealtimeService: Service {
    let watcher: WorkspaceWatcher
    let registry: HubRegistry
    let workspace: Workspace
    let io: BlockingIO
    let reapInterval: Duration
    let logger: Logger

    func run() async throws {
        let watcher = watcher
        let pump = EventPump(registry: registry, workspace: workspace, io: io)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pump.run(watcher.events) }
                group.addTask { await reapUntilCancelled() }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            watcher.stop()
        }
        watcher.stop()
    }

    private func reapUntilCancelled() async {
        let workspace = workspace
        while !Task.isCancelled {
            try? await Task.sleep(for: reapInterval)
            let reaped = (try? await io.run { try workspace.reapExpiredLocks() }) ?? []
            for lock in reaped {
                logger.info("lock expired", metadata: ["field": "\(lock.field)", "user": "\(lock.user)", "token": "\(lock.token)"])
            }
        }
    }
}

extension Workspace {
    /// Ends every expired lock in every project.
    func reapExpiredLocks(now: Date = Date()) throws -> [FieldLock] {
        try projectIDs().flatMap { try project($0).locks.reapExpired(now: now) }
    }
}
