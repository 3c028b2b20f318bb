import Foundation
import FoundryStore
import Hummingbird

/// The body of `GET /me`.
struct SessionResponse: Encodable {
    var user: String
    var name: String?
    var session: String
    var expiresAt: String?

    enum CodingKeys: String, CodingKey {
        case user, name, session
        case expiresAt = "expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user, forKey: .user)
        try container.encode(name, forKey: .name)
        try container.encode(session, forKey: .session)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

extension FoundryAPI {
    /// `GET /me`: who the server takes the caller for — the token's user and
    /// name, the session the request acts for, and when the token expires.
    /// A client checks a token with it before using it (a 401 says why not).
    func addSessionRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/me") { _, context -> Response in
            let caller = try context.requireCaller()
            return try JSON.response(SessionResponse(
                user: caller.user, name: caller.name, session: caller.session, expiresAt: caller.expiresAt.map { Timestamp.string(from: $0) }
            ))
        }
    }
}
