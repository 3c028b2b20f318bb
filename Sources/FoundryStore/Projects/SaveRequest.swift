/// An editor's save: the version the edit started from and the new text of
/// each field it writes (`nil` removes the field).
public struct SaveRequest: Sendable {
    /// The longest message a version may carry.
    public static let maximumMessageBytes = 64 * 1024

    public var baseVersion: Int
    public var fields: [FieldName: String?]
    public var message: String?
    /// Keep the field locks after the save instead of releasing them.
    public var keepLocks: Bool
    /// Optional fencing tokens the client believes it holds; a mismatch refuses the save.
    public var lockTokens: [FieldName: Int]

    public init(baseVersion: Int, fields: [FieldName: String?], message: String? = nil, keepLocks: Bool = false, lockTokens: [FieldName: Int] = [:]) {
        self.baseVersion = baseVersion
        self.fields = fields
        self.message = message
        self.keepLocks = keepLocks
        self.lockTokens = lockTokens
    }
}

/// What a save did: the resulting head, whether it is a new version (a save
/// that changes no byte creates none), and the locks it released.
public struct SaveResult: Sendable {
    public var draft: StoredDraft
    public var created: Bool
    public var releasedLocks: [FieldLock]
}
