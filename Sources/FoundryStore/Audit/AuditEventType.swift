/// The kind of an audit entry, e.g. `draft.save` or `lock.denied`.
///
/// A string rather than a closed enum: a log written by a newer server
/// stays readable (and verifiable) by an older `foundry verify`.
public struct AuditEventType: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static let projectCreated = AuditEventType("project.created")
    /// A new version: `draft.save`, `draft.revert`, `draft.undo`, `draft.redo`, `draft.import`, `draft.create`.
    public static func draft(_ kind: DraftKind) -> AuditEventType { AuditEventType("draft." + kind.rawValue) }
    public static let lockAcquired = AuditEventType("lock.acquired")
    public static let lockDenied = AuditEventType("lock.denied")
    public static let lockReleased = AuditEventType("lock.released")
    public static let memberSet = AuditEventType("member.set")
    public static let memberRemoved = AuditEventType("member.removed")
    public static let socketConnected = AuditEventType("socket.connected")
    public static let socketDisconnected = AuditEventType("socket.disconnected")
    /// Annotations: each names its record file (`comments/000012.json`) and the file's SHA-256.
    public static let commentCreated = AuditEventType("comment.created")
    public static let commentReplied = AuditEventType("comment.replied")
    public static let commentResolved = AuditEventType("comment.resolved")
    public static let commentReopened = AuditEventType("comment.reopened")
    public static let taskCreated = AuditEventType("task.created")
    public static let taskUpdated = AuditEventType("task.updated")
    public static let taskDone = AuditEventType("task.done")
    public static let taskUndone = AuditEventType("task.undone")
    public static let taskDeleted = AuditEventType("task.deleted")
    /// A test run was created (process started, or external run opened): run, version, draft id, command.
    public static let runStarted = AuditEventType("run.started")
    /// A run ended by itself (or its external runner said so): exit status, console size and SHA-256.
    public static let runFinished = AuditEventType("run.finished")
    public static let runCancelled = AuditEventType("run.cancelled")
    /// Found running at startup with its supervising server gone.
    public static let runLost = AuditEventType("run.lost")
    /// A torn last line (a crash mid-append, never acknowledged) was cut off; the entry names its hash.
    public static let auditRepaired = AuditEventType("audit.repaired")
    /// The project turned read-only: version, draft id, bundle name and the SHA-256 of its MANIFEST.json.
    public static let projectFrozen = AuditEventType("project.frozen")
    /// An electronic signature: its file and SHA-256, meaning, version, draft id, printed name, how the signer authenticated.
    public static let signatureAdded = AuditEventType("signature.added")
    /// The owner changed how many approvals a freeze needs, or four eyes.
    public static let releasePolicySet = AuditEventType("release_policy.set")
}
