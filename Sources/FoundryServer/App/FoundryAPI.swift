import Foundation
import FoundryStore
import FoundryWatch
import Hummingbird
import Logging

/// The services every route uses, and the function that registers them.
///
/// Routes live in `Routes/`, one file per resource, as extensions that add
/// themselves to the router; store calls run on `io`, never on an event loop.
public struct FoundryAPI: Sendable {
    public let workspace: Workspace
    public let io: BlockingIO
    public let authority: TokenAuthority
    public let configuration: ServerConfiguration
    public let metrics: FoundryMetrics
    /// The watcher whose thread `/health` reports on.
    let watcher: WorkspaceWatcher
    /// Structured events: edits, locks, sockets (one JSON object a line with `--log-format json`).
    let logger: Logger
    /// The runner processes this server started.
    let runs: RunSupervisor
    /// Set when the server was started with `--standby`.
    let standby: Standby?
    /// Connection, socket and rate limits (docs/limits.md).
    let limits: ClientLimits

    init(workspace: Workspace, io: BlockingIO, authority: TokenAuthority, configuration: ServerConfiguration,
         metrics: FoundryMetrics, limits: ClientLimits, watcher: WorkspaceWatcher, logger: Logger, standby: Standby? = nil) {
        self.standby = standby
        self.logger = logger
        self.limits = limits
        self.workspace = workspace
        self.io = io
        self.authority = authority
        self.configuration = configuration
        self.metrics = metrics
        self.watcher = watcher
        self.runs = RunSupervisor(workspace: workspace, io: io, configuration: configuration, logger: logger)
    }

    func register(on router: Router<FoundryRequestContext>) {
        router.middlewares.add(HTTPMetricsMiddleware(metrics: metrics))
        router.middlewares.add(ErrorMiddleware())
        if let standby { router.middlewares.add(StandbyMiddleware(standby: standby)) }
        router.middlewares.add(AuthMiddleware(authority: authority))
        router.middlewares.add(ProjectChangeMiddleware())
        router.middlewares.add(ClientLimitMiddleware(limits: limits))
        addHealthRoutes(to: router)
        addSessionRoutes(to: router)
        addProjectRoutes(to: router)
        addDraftRoutes(to: router)
        addHistoryRoutes(to: router)
        addDiffRoutes(to: router)
        addLockRoutes(to: router)
        addMemberRoutes(to: router)
        addAuditRoutes(to: router)
        addExportRoutes(to: router)
        addBundleRoutes(to: router)
        addSignatureRoutes(to: router)
        addReleasePolicyRoutes(to: router)
        addKeyRoutes(to: router)
        addCommentRoutes(to: router)
        addTaskRoutes(to: router)
        addScratchpadRoutes(to: router)
        addRunRoutes(to: router)
        addMetricsRoutes(to: router)
        addOpenAPIRoutes(to: router)
        addWebSocketRoutes(to: router)
        addWebRoutes(to: router)
    }

    /// The project named by the `:id` path parameter, once the caller's role
    /// is known to permit `action`: 400 when the id is invalid, 404 when the
    /// project is absent, 403 when the role does not allow it.
    ///
    /// Every project route gets its store through here, so access control
    /// is decided in this one place (the WebSocket gateway uses it too).
    func project(_ context: FoundryRequestContext, for action: ProjectAction) async throws -> ProjectStore {
        let caller = try context.requireCaller()
        return try await project(try ProjectID(try context.parameters.require("id")), for: action, caller: caller)
    }

    /// Takes or refreshes a field lock for HTTP and WebSocket alike, counting the outcome.
    func acquireLock(_ field: FieldName, in store: ProjectStore, for editor: EditorIdentity, ttl: TimeInterval) async throws -> LockTable.Acquisition {
        do {
            // A frozen project is refused by the lock table, under the project mutex.
            let acquisition = try await io.run { store.locks.submitAcquire(field, for: editor, ttl: ttl) }.durable()
            metrics.lockRequest(acquisition.refreshed ? .refreshed : .granted)
            if let expired = acquisition.expiredPredecessor { locksEnded([expired], reason: .expired, project: store.id) }
            let lock = acquisition.lock
            logger.log(level: acquisition.refreshed ? .debug : .info, acquisition.refreshed ? "lock refreshed" : "lock acquired", metadata: [
                "project": "\(store.id)", "field": "\(lock.field)", "user": "\(lock.user)", "session": "\(lock.session)",
                "token": "\(lock.token)", "expires_at": "\(lock.expiresAt)",
            ])
            return acquisition
        } catch StoreError.lockHeld(let holder) {
            metrics.lockRequest(.denied)
            logger.info("lock denied", metadata: [
                "project": "\(store.id)", "field": "\(field)", "user": "\(editor.user)", "session": "\(editor.session)", "holder": "\(holder.user)",
            ])
            throw StoreError.lockHeld(holder)
        }
    }

    /// Logs a new version: `draft saved` with who, which version, what changed and by how many bytes.
    func logVersion(_ draft: StoredDraft, project: ProjectID) {
        let record = draft.record
        logger.info("draft saved", metadata: [
            "project": "\(project)", "user": "\(record.authorID)", "session": "\(record.sessionID)", "version": "\(record.versionNumber)",
            "kind": "\(record.kind.rawValue)", "draft_id": "\(draft.id)", "changed": .array(record.changed.map { .string($0) }),
            "delta_bytes": "\(record.delta.values.reduce(0) { $0 + abs(($1.newSize ?? 0) - ($1.oldSize ?? 0)) })",
        ])
    }

    /// Counts and logs locks this server ended (hold time, reason).
    func locksEnded(_ locks: [FieldLock], reason: LockReleaseReason, project: ProjectID) {
        for lock in locks {
            metrics.lockReleased(lock)
            logger.info("lock released", metadata: [
                "project": "\(project)", "field": "\(lock.field)", "user": "\(lock.user)", "session": "\(lock.session)",
                "token": "\(lock.token)", "reason": "\(reason.rawValue)",
            ])
        }
    }

    func project(_ id: ProjectID, for action: ProjectAction, caller: Caller) async throws -> ProjectStore {
        try await project(id, for: action, caller: caller) { _ in () }.store
    }

    /// `project(_:for:caller:)`, then `body` on the same pool thread (one
    /// hop to the pool instead of two, for a socket's join).
    func project<T: Sendable>(_ id: ProjectID, for action: ProjectAction, caller: Caller,
                              then body: @escaping @Sendable (ProjectStore) throws -> T) async throws -> (store: ProjectStore, value: T) {
        let workspace = workspace
        return try await io.run {
            let store = try workspace.project(id)
            try store.authorize(action, user: caller.user)
            return (store, try body(store))
        }
    }
}

extension Parameters {
    /// The field name captured by a trailing `**`, validated.
    func fieldName(dropping suffix: Int = 0) throws -> FieldName {
        let segments = getCatchAll().dropLast(suffix)
        return try FieldName(segments.joined(separator: "/"))
    }
}
