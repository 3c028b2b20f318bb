import Foundation

/// The content of `locks/<field>.lock`: who holds a field and until when.
public struct FieldLock: Codable, Sendable, Equatable {
    public var field: String
    public var user: String
    public var session: String
    /// Per-project, strictly increasing fencing number.
    public var token: Int
    public var acquiredAt: String
    public var expiresAt: String

    public init(field: String, user: String, session: String, token: Int, acquiredAt: String, expiresAt: String) {
        self.field = field
        self.user = user
        self.session = session
        self.token = token
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case field, user, session, token
        case acquiredAt = "acquired_at"
        case expiresAt = "expires_at"
    }

    public var holder: EditorIdentity { EditorIdentity(user: user, session: session) }

    public func isExpired(at now: Date) -> Bool {
        guard let expiry = Timestamp.date(from: expiresAt) else { return true }
        return expiry <= now
    }
}

/// Why a lock ended; recorded with every release.
public enum LockReleaseReason: String, Codable, Sendable {
    case save, cancel, disconnect, expired, forced
}
