/// The name a lock file is renamed to when it is released, so that the
/// reason travels with the release itself: any process watching `locks/`
/// sees `IN_MOVED_TO .released-<reason>-<token>-<lock file name>` and knows
/// which lock ended and why, whoever released it. The tombstone is unlinked
/// right after; a crash in between leaves it for recovery to remove.
public struct LockTombstone: Sendable, Equatable {
    public static let prefix = ".released-"

    public var field: FieldName
    public var token: Int
    public var reason: LockReleaseReason

    public init(field: FieldName, token: Int, reason: LockReleaseReason) {
        self.field = field
        self.token = token
        self.reason = reason
    }

    public var fileName: String {
        "\(Self.prefix)\(reason.rawValue)-\(token)-\(field.lockFileName)"
    }

    /// Parses a tombstone file name; `nil` for any other name.
    public init?(fileName: String) {
        guard fileName.hasPrefix(Self.prefix) else { return nil }
        let parts = fileName.dropFirst(Self.prefix.count).split(separator: "-", maxSplits: 2)
        guard parts.count == 3, let reason = LockReleaseReason(rawValue: String(parts[0])), let token = Int(parts[1]),
              let field = FieldName.fromLockFileName(String(parts[2]))
        else { return nil }
        self.init(field: field, token: token, reason: reason)
    }
}
