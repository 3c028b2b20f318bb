import Foundation
import FoundryStore
import Logging
import ServiceLifecycle

/// Seals what was appended to audit trails since their last checkpoint,
/// once per `interval` while entries are written (each append that brings a
/// trail to a multiple of `--checkpoint-every` entries is sealed at once by
/// the store). At shutdown the pending entries are sealed too.
struct CheckpointService: Service {
    let workspace: Workspace
    let io: BlockingIO
    let interval: TimeInterval
    let logger: Logger

    /// Runs until graceful shutdown (a service that returns would stop the server).
    func run() async throws {
        guard workspace.notary != nil else { try? await gracefulShutdown(); return }
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))) != nil {
                await sealPending()
            }
        }
        // The last seal runs in a task of its own: this one is cancelled by now.
        await Task { await sealPending() }.value
    }

    private func sealPending() async {
        let workspace = workspace
        do {
            let written = try await io.run { try workspace.checkpointPending() }
            for (project, checkpoint) in written {
                logger.debug("audit checkpoint", metadata: [
                    "project": "\(project)", "file": "checkpoints/\(checkpoint.payload.seq)", "audit_entries": "\(checkpoint.payload.auditEntries)",
                ])
            }
        } catch {
            logger.error("audit checkpoint failed; retried at the next interval", metadata: ["error": "\(error)"])
        }
    }
}

/// Fetches the identity provider's key set at start, so that `/health`
/// says at once whether the provider answers.
struct ProviderWarmUp: Service {
    let authority: TokenAuthority

    func run() async throws {
        await authority.provider?.prefetch()
        try? await gracefulShutdown()
    }
}
