import Foundation
import FoundryStore

extension RealtimeService {
    /// Keeps the locks of connected sessions leased: once a second (or a
    /// sixth of the TTL, if shorter) it renews, to a full TTL, every lock
    /// held by a session with a socket on the lock's project whose lease
    /// has less than two thirds of the TTL left. So a lock is renewed about
    /// every third of the TTL, and one taken with a shorter `ttl_seconds`
    /// within a pass. A session whose sockets vanish (closed, or no answer
    /// to pings) lets its locks expire. One loop for the whole server,
    /// rather than a timer per socket.
    func keepLeasesUntilCancelled() async {
        let (workspace, ttl) = (workspace, lockTTL)
        let period = min(1, ttl / 6)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(period))
            for hub in await registry.all {
                let holders = await hub.lockHoldersDue(within: ttl * 2 / 3)
                guard !holders.isEmpty, let id = try? ProjectID(hub.project) else { continue }
                do {
                    _ = try await BlockingIO.$changingProject.withValue(id.rawValue) {
                        try await io.run {
                            let locks = try workspace.project(id).locks
                            for holder in holders { _ = try locks.refreshAll(of: holder, ttl: ttl) }
                        }
                    }
                } catch {
                    logger.warning("could not renew the leases of connected sessions", metadata: ["project": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}
