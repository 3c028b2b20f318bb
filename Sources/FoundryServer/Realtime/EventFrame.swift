import Foundation
import FoundryStore

/// One WebSocket text frame: `{"seq", "type", "project", "ts", "data"}`.
///
/// Broadcast events carry the project's next sequence number; `SNAPSHOT`
/// and `RESYNC` carry the current one (the last event they include);
/// replies meant for one client only (`LOCK_DENIED`, `LOCK_REFRESHED`,
/// `PONG`, `ERROR`) carry `null`.
public struct EventFrame: Sendable, Encodable, Equatable {
    public var seq: Int?
    public var type: EventType
    public var project: String
    public var ts: String
    public var data: JSONValue

    public init(seq: Int?, type: EventType, project: String, data: JSONValue, ts: Date = Date()) {
        self.seq = seq
        self.type = type
        self.project = project
        self.ts = Timestamp.string(from: ts)
        self.data = data
    }

    public func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case seq, type, project, ts, data }
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(type, forKey: .type)
        try container.encode(project, forKey: .project)
        try container.encode(ts, forKey: .ts)
        try container.encode(data, forKey: .data)
    }

    /// The frame as the text sent on the wire.
    var text: String {
        String(decoding: (try? JSON.encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The event types of the design.
public enum EventType: String, Sendable, Codable, CaseIterable {
    case snapshot = "SNAPSHOT"
    case resync = "RESYNC"
    case userJoined = "USER_JOINED"
    case userLeft = "USER_LEFT"
    case lockAcquired = "LOCK_ACQUIRED"
    case lockReleased = "LOCK_RELEASED"
    case lockDenied = "LOCK_DENIED"
    case lockRefreshed = "LOCK_REFRESHED"
    case draftSaved = "DRAFT_SAVED"
    case projectFrozen = "PROJECT_FROZEN"
    case commentCreated = "COMMENT_CREATED"
    case commentReplied = "COMMENT_REPLIED"
    case commentResolved = "COMMENT_RESOLVED"
    case commentReopened = "COMMENT_REOPENED"
    case taskUpdated = "TASK_UPDATED"
    case scratchpadUpdated = "SCRATCHPAD_UPDATED"
    case runStarted = "RUN_STARTED"
    case consoleOutput = "CONSOLE_OUTPUT"
    case runFinished = "RUN_FINISHED"
    case signatureAdded = "SIGNATURE_ADDED"
    case pong = "PONG"
    case error = "ERROR"
}

extension FieldLock {
    var json: JSONValue {
        .object([
            "field": .string(field), "user": .string(user), "session": .string(session), "token": .int(token),
            "acquired_at": .string(acquiredAt), "expires_at": .string(expiresAt),
        ])
    }
}

extension StoredDraft {
    var savedEvent: JSONValue {
        .object([
            "version": .int(record.versionNumber), "label": .string(record.label), "draft_id": .string(id),
            "parent_id": record.parentID.json, "kind": .string(record.kind.rawValue),
            "author_id": .string(record.authorID), "session_id": .string(record.sessionID),
            "created_at": .string(record.createdAt), "message": record.message.json,
            "changed": .array(record.changed.map(JSONValue.string)),
        ])
    }
}
