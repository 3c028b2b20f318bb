import FoundryStore

/// What a hub knows about its project from the files: the head version and
/// its draft id, the manifest's state, and the held locks. Loaded from disk
/// when the hub starts and on every rescan; kept current by watcher events.
struct ProjectFileState: Sendable {
    var headVersion: Int
    var headDraftID: String?
    var state: ProjectState
    var locks: [String: FieldLock]
    /// Each run's record and how much of its console was announced (see `RunBoard`).
    var runs = RunBoard()

    static func load(_ store: ProjectStore) throws -> ProjectFileState {
        let manifest = try store.manifest()
        return ProjectFileState(
            headVersion: manifest.headVersion, headDraftID: manifest.currentDraftID, state: manifest.state,
            locks: Dictionary(try store.locks.all().map { ($0.field, $0) }, uniquingKeysWith: { $1 }),
            runs: try RunBoard.load(store)
        )
    }
}
