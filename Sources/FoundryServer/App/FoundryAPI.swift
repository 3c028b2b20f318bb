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
        addWebSocketRoutes(to: router, registry: registry)
    }

    /// The project named by the `:id` path parameter (400 when invalid, 404 when absent).
    func project(_ context: FoundryRequestContext) async throws -> ProjectStore {
        let id = try ProjectID(try context.parameters.require("id"))
        let workspace = workspace
        return try await io.run { try workspace.project(id) }
    }
}

extension Parameters {
    /// The field name captured by a trailing `**`, validated.
    func fieldName(dropping suffix: Int = 0) throws -> FieldName {
        let segments = getCatchAll().dropLast(suffix)
        return try FieldName(segments.joined(separator: "/"))
    }
}
