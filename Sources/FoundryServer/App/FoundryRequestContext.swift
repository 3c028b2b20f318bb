import FoundryStore
import Hummingbird
import HummingbirdWebSocket

/// The per-request context: Hummingbird's core storage plus the caller's
/// identity, set by `AuthMiddleware` before any project route runs.
public struct FoundryRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public var caller: Caller?
    /// Why a WebSocket upgrade request was not authenticated; the socket is
    /// then closed at once with code 4401 and this reason (see `AuthMiddleware`).
    public var authFailure: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        caller = nil
        authFailure = nil
    }

    /// The authenticated caller; `unauthorized` when the middleware did not set one.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized("missing bearer token") }
        return caller
    }
}

/// Who sent a request: the JWT's `sub`, its optional `name`, and the session
/// the request acts for (see `AuthMiddleware` for how it is chosen).
public struct Caller: Sendable, Equatable {
    public var user: String
    public var name: String?
    public var session: String

    public var editor: EditorIdentity { EditorIdentity(user: user, session: session) }
}
