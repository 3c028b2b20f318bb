/// One line of `audit.jsonl`: who did what, when, to which version.
///
/// `prev` is the SHA-256 of the previous line's bytes including its newline
/// (64 zeros for the first line), so an auditor checks the chain with
/// `sed -n 3p audit.jsonl | sha256sum` against line 4's `prev`.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// 1, 2, 3 … with no gap: the line number.
    public var seq: Int
    public var ts: String
    public var type: AuditEventType
    /// The acting user; `@foundry` for the server's own actions (lock expiry).
    public var user: String
    public var session: String
    public var version: Int?
    public var data: [String: JSONValue]
    public var prev: String

    public static let genesis = String(repeating: "0", count: 64)
}

/// An audit entry before it is placed in the chain (no `seq`, `ts`, `prev` yet).
public struct AuditEvent: Sendable, Equatable {
    public var type: AuditEventType
    public var actor: EditorIdentity
    public var version: Int?
    public var data: [String: JSONValue]

    public init(_ type: AuditEventType, by actor: EditorIdentity, version: Int? = nil, data: [String: JSONValue] = [:]) {
        self.type = type
        self.actor = actor
        self.version = version
        self.data = data
    }
}

extension EditorIdentity {
    /// The server itself, for actions no user asked for (a lock reaped after its lease ran out).
    /// JWT subjects may not start with `@`, so no user can be mistaken for it.
    public static let server = EditorIdentity(user: "@foundry", session: "server")
}
