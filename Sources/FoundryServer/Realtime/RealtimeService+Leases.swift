import Foundation
import FoundryStore

extension RealtimeService {
    /// Every third of the lock TTL, refreshes the locks held by sessions
    /// that have a socket on the lock's project: a connected session keeps
    /// its leases (its pings answered, or the WebSocket library closes it),
    /// a vanished one lets them expire. One pass over the hubs for the whole
    /// server, rather than a timer per socket.
    func keepLeasesUntilCancelled() async {
        let (workspace, ttl) = (workspace, lockTTL)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(max(0.2, ttl / 3)))
            for hub in await registry.all {
                let holders = await hub.connectedLockHolders
                guard !holders.isEmpty, let id = try? ProjectID(hub.project) else { continue }
                do {
                    _ = try await io.run {
                        let locks = try workspace.project(id).locks
                        for holder in holders { _ = try locks.refreshAll(of: holder, ttl: ttl) }
                    }
                } catch {
                    logger.warning("could not refresh the leases of connected sessions", metadata: ["project": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}
