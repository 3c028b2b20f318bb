/// Who makes a change: a user id (the JWT `sub`) and one session of that
/// user (one browser tab, one socket, one CLI run). Locks belong to a
/// session, so every byte is attributable to exactly one user session.
public struct EditorIdentity: Sendable, Hashable, Codable {
    public var user: String
    public var session: String

    public init(user: String, session: String) {
        self.user = user
        self.session = session
    }
}
