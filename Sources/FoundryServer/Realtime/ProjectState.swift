import FoundryStore

/// What a hub knows about its project from the files: the head version and
/// its draft id, the manifest's state, the held locks, and how far the
/// comment and task records are announced. Loaded from disk
/// when the hub starts and on every rescan; kept current by watcher events.
struct ProjectFileState: Sendable {
    var headVersion: Int
    var headDraftID: String?
    var state: ProjectState
    var locks: [String: FieldLock]
    /// The comment and task records announced (or on disk when loaded).
    var annotations = AnnotationCursors()
    /// Each run's record and how much of its console was announced (see `RunBoard`).
    var runs = RunBoard()

    static func load(_ store: ProjectStore) throws -> ProjectFileState {
        let manifest = try store.manifest()
        var state = ProjectFileState(
            headVersion: manifest.headVersion, headDraftID: manifest.currentDraftID, state: manifest.state,
            locks: Dictionary(try store.locks.all().map { ($0.field, $0) }, uniquingKeysWith: { $1 }),
            runs: try RunBoard.load(store)
        )
        state.annotations = try AnnotationCursors.load(store)
        return state
    }
}
