import FoundryStore
import Hummingbird

/// The services every route uses, and the function that registers them.
///
/// Routes live in `Routes/`, one file per resource, as extensions that add
/// themselves to the router; store calls run on `io`, never on an event loop.
public struct FoundryAPI: Sendable {
    public let workspace: Workspace
    public let io: BlockingIO
    public let authority: TokenAuthority
    public let configuration: ServerConfiguration

    public init(workspace: Workspace, io: BlockingIO, authority: TokenAuthority, configuration: ServerConfiguration) {
        self.workspace = workspace
        self.io = io
        self.authority = authority
        self.configuration = configuration
    }

    func register(on router: Router<FoundryRequestContext>, registry: HubRegistry) {
        router.middlewares.add(ErrorMiddleware())
        router.middlewares.add(AuthMiddleware(authority: authority))
        addHealthRoutes(to: router)
        addProjectRoutes(to: router)
        addDraftRoutes(to: router)
        addHistoryRoutes(to: router)
        addDiffRoutes(to: router)
        addLockRoutes(to: router)
        addMemberRoutes(to: router)
        addAuditRoutes(to: router)
        addWebSocketRoutes(to: router, registry: registry)
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

    func project(_ id: ProjectID, for action: ProjectAction, caller: Caller) async throws -> ProjectStore {
        let workspace = workspace
        return try await io.run {
            let store = try workspace.project(id)
            try store.authorize(action, user: caller.user)
            return store
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
