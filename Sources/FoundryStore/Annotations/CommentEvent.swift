/// One event of a comment thread: `comments/<n>.json`, written once.
///
/// `created` carries the anchor and the text, `replied` a reply's text,
/// `resolved` and `reopened` only who and when. The thread's id is
/// `c-<n>` with n the number of its `created` record.
public struct CommentEvent: AnnotationRecord {
    public static let currentFormat = "foundry.comment/1"
    public static var series: AnnotationSeries { .comments }
    public static var idKey: String { "comment_id" }
    public var annotationID: String { commentID }
    public var startsAnnotation: Bool { event == .created }
    public var author: EditorIdentity { EditorIdentity(user: authorID, session: sessionID) }

    public var auditFacts: (type: AuditEventType, version: Int?, data: [String: JSONValue]) {
        switch event {
        case .created:
            guard let anchor else { return (.commentCreated, nil, [:]) }
            return (.commentCreated, anchor.version, [
                "field": .string(anchor.field), "line_start": .int(anchor.lineStart), "line_end": .int(anchor.lineEnd),
                "draft_id": .string(anchor.draftID),
            ])
        case .replied: return (.commentReplied, nil, [:])
        case .resolved: return (.commentResolved, nil, [:])
        case .reopened: return (.commentReopened, nil, [:])
        }
    }

    public enum Kind: String, Codable, Sendable {
        case created, replied, resolved, reopened
    }

    public var format: String = CommentEvent.currentFormat
    public var projectID: String
    public var sequence: Int
    public var commentID: String
    public var event: Kind
    public var authorID: String
    public var sessionID: String
    public var createdAt: String
    /// For `created`: where the comment points.
    public var anchor: CommentAnchor?
    /// For `created` and `replied`.
    public var text: String?

    enum CodingKeys: String, CodingKey {
        case format, sequence, event, anchor, text
        case projectID = "project_id"
        case commentID = "comment_id"
        case authorID = "author_id"
        case sessionID = "session_id"
        case createdAt = "created_at"
    }

    /// The id of the thread a `created` record number starts.
    public static func commentID(for sequence: Int) -> String { "c-\(sequence)" }
}

/// Where a comment points: lines `lineStart…lineEnd` (1-based, inclusive) of
/// `field` as it is in `version` (whose draft id is recorded too).
public struct CommentAnchor: Codable, Sendable, Equatable {
    public var version: Int
    public var draftID: String
    public var field: String
    public var lineStart: Int
    public var lineEnd: Int

    public init(version: Int, draftID: String, field: String, lineStart: Int, lineEnd: Int) {
        self.version = version
        self.draftID = draftID
        self.field = field
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }

    enum CodingKeys: String, CodingKey {
        case version, field
        case draftID = "draft_id"
        case lineStart = "line_start"
        case lineEnd = "line_end"
    }

    public var lines: ClosedRange<Int> { lineStart...lineEnd }
}
