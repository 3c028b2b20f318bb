import Foundation
import FoundryStore
import Hummingbird

/// The per-request context: Hummingbird's core storage plus the caller's
/// identity, set by `AuthMiddleware` before any project route runs.
public struct FoundryRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// The authenticated caller; `unauthorized` when the middleware did not set one.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw APIError.unauthorized("missing bearer token") }
        return caller
    }
}

/// Who sent a request: the JWT's `sub`, its optional `name`, the session
/// the request acts for (see `AuthMiddleware` for how it is chosen), and
/// what the token says of the user's last authentication, and when it expires.
public struct Caller: Sendable, Equatable {
    public var user: String
    public var name: String?
    public var session: String
    /// `auth_time`, `amr`, `acr` and `iss` of the token (what step-up checks).
    public var authentication = TokenAuthentication()
    /// The token's `exp`.
    public var expiresAt: Date? = nil

    public var editor: EditorIdentity { EditorIdentity(user: user, session: session) }
}

/// The claims of a token about how and when its user authenticated.
public struct TokenAuthentication: Sendable, Equatable {
    public var authTime: Date?
    public var amr: [String] = []
    public var acr: String?
    public var issuer: String?
}
