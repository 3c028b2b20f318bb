import FoundryStore
import Hummingbird
import HummingbirdWebSocket

extension FoundryAPI {
    /// `GET /ws/project/{id}` (and `/ws/projects/{id}` for clients of the older
    /// API): the project's event stream. Authenticated like every request
    /// (header, or `?token=` for browsers); `?session=` names the session whose
    /// locks this socket holds; `?since=&epoch=` resumes.
    func addWebSocketRoutes(to router: Router<FoundryRequestContext>, registry: HubRegistry) {
        for path in ["/ws/project/:id", "/ws/projects/:id"] {
            router.ws(RouterPath(path)) { _, context in
                if context.authFailure == nil { _ = try context.requireCaller() }
                return .upgrade([:])
            } onUpgrade: { inbound, outbound, context in
                guard let caller = context.requestContext.caller else {
                    let reason = "unauthorized: " + (context.requestContext.authFailure ?? "missing bearer token")
                    return try await outbound.close(WebSocketConnection.CloseCode.unauthorized, reason: String(reason.prefix(120)))
                }
                try await WebSocketConnection(
                    api: self, registry: registry, request: context.request, caller: caller,
                    inbound: inbound, outbound: outbound, logger: context.logger
                ).run()
            }
        }
    }
}
