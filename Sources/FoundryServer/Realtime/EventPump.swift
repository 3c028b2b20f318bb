import Foundation
import FoundryStore
import FoundryWatch

/// Turns watcher events into hub updates, one at a time and in order.
///
/// The files an event points at are read here, on the I/O pool, before the
/// hub is entered, so hub methods never suspend. Projects without a hub
/// (nobody connected) are skipped: a hub created later loads the files anew.
struct EventPump: Sendable {
    let registry: HubRegistry
    let workspace: Workspace
    /// A pool for reads only, apart from the one saves block on.
    let io: BlockingIO
    let metrics: FoundryMetrics

    func run(_ events: AsyncStream<WatchEvent>) async {
        for await event in events {
            let start = ContinuousClock.now
            metrics.watcherEvent(WatcherEventLabel(event.kind))
            do {
                if try await handle(event) { metrics.broadcastTook(ContinuousClock.now - start) }
            } catch {
                // A file vanished or could not be read; the next rescan or event corrects the hub.
                continue
            }
        }
    }

    /// Applies one event; `false` when no hub listens to its project.
    @discardableResult
    func handle(_ event: WatchEvent) async throws -> Bool {
        if event.project == "*", event.kind == .overflow {
            for hub in await registry.all { try await rescan(hub) }
            return true
        }
        guard let hub = await registry.existing(event.project) else { return false }
        let store = try workspace.project(ProjectID(event.project))
        switch event.kind {
        case .draftCreated(let version):
            let head = await hub.headVersion
            guard version > head else { return true }
            let drafts = try await io.run { ((head + 1)...version).compactMap { try? store.draft($0) } }
            await hub.apply(.drafts(drafts))
        case .lockCreated(let field), .lockChanged(let field):
            let name = try FieldName(field)
            guard let lock = try await io.run({ try store.locks.current(name) }) else { return true }
            await hub.apply(.lock(lock))
        case .lockReleased(let field, let token, let reason):
            await hub.apply(.lockReleased(field: field, token: token, reason: reason))
        case .manifestChanged:
            await hub.apply(.manifest(try await io.run { try store.manifest() }))
        case .overflow:
            try await rescan(hub)
        case .annotationAdded(let kind, let sequence):
            try await annotationAdded(AnnotationSeries(kind), sequence: sequence, hub: hub, store: store)
        case .runChanged(let run), .consoleAppended(let run):
            try await handleRun(run, hub: hub, store: store)
        case .projectAppeared:
            return false
        }
        return true
    }

    /// Reloads a hub from the files, announcing versions it missed, then `RESYNC`.
    func rescan(_ hub: ProjectHub) async throws {
        let store = try workspace.project(try ProjectID(hub.project))
        let head = await hub.headVersion
        let (state, missed) = try await io.run { () -> (ProjectFileState, [StoredDraft]) in
            let state = try ProjectFileState.load(store)
            return (state, head < state.headVersion ? try ((head + 1)...state.headVersion).map(store.draft) : [])
        }
        await hub.apply(.annotations(try await missedAnnotations(hub, upTo: state.annotations, store: store)))
        await hub.apply(try await runCatchUp(hub, to: state, in: store))
        await hub.apply(.rescan(state, missedDrafts: missed))
    }
}
