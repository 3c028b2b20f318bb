import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /ws/project/{id}` (and `/ws/projects/{id}`) without an upgrade:
    /// 401 without a token, like every route, and 426 with one. The
    /// upgrade itself never reaches the router: `FoundryChildChannel` hands
    /// it to the `WebSocketGateway`.
    func addWebSocketRoutes(to router: Router<FoundryRequestContext>) {
        for path in ["/ws/project/:id", "/ws/projects/:id"] {
            router.get(RouterPath(path)) { _, context -> Response in
                _ = try context.requireCaller()
                throw APIError(.init(code: 426, reasonPhrase: "Upgrade Required"), code: "UPGRADE_REQUIRED", message: "this is a WebSocket endpoint: connect with 'Upgrade: websocket'")
            }
        }
    }
}
