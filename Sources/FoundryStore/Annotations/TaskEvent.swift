/// One event of a checklist item: `tasks/<n>.json`, written once.
///
/// `created` and `updated` carry the item's title, assignee and link as they
/// are after the event (an absent assignee or link means none), and
/// `updated` may also set `done`; `done` and `undone` tick and untick;
/// `deleted` is the tombstone (the item and its history stay on disk). The
/// item's id is `t-<n>` with n the number of its `created` record.
public struct TaskEvent: AnnotationRecord {
    public static let currentFormat = "foundry.task/1"
    public static var series: AnnotationSeries { .tasks }
    public static var idKey: String { "task_id" }
    public var annotationID: String { taskID }
    public var startsAnnotation: Bool { event == .created }
    public var author: EditorIdentity { EditorIdentity(user: authorID, session: sessionID) }

    public var auditFacts: (type: AuditEventType, version: Int?, data: [String: JSONValue]) {
        var data: [String: JSONValue] = [:]
        if let title { data["title"] = .string(title) }
        if event == .created || event == .updated { data["assignee"] = assignee.json }
        if let done { data["done"] = .bool(done) }
        if let changed { data["changed"] = .array(changed.map(JSONValue.string)) }
        switch event {
        case .created: return (.taskCreated, nil, data)
        case .updated: return (.taskUpdated, nil, data)
        case .done: return (.taskDone, nil, data)
        case .undone: return (.taskUndone, nil, data)
        case .deleted: return (.taskDeleted, nil, data)
        }
    }

    public enum Kind: String, Codable, Sendable {
        case created, updated, done, undone, deleted
    }

    public var format: String = TaskEvent.currentFormat
    public var projectID: String
    public var sequence: Int
    public var taskID: String
    public var event: Kind
    public var authorID: String
    public var sessionID: String
    public var createdAt: String
    public var title: String?
    public var assignee: String?
    public var link: TaskLink?
    public var done: Bool?
    /// For `updated`: which of `title`, `assignee`, `link`, `done` changed.
    public var changed: [String]?

    enum CodingKeys: String, CodingKey {
        case format, sequence, event, title, assignee, link, done, changed
        case projectID = "project_id"
        case taskID = "task_id"
        case authorID = "author_id"
        case sessionID = "session_id"
        case createdAt = "created_at"
    }

    public static func taskID(for sequence: Int) -> String { "t-\(sequence)" }
}

/// What a task points at: a field, optionally lines of it, as of `version`
/// (the head when the link was made, unless the request named one).
public struct TaskLink: Codable, Sendable, Equatable {
    public var field: String
    public var version: Int
    public var lineStart: Int?
    public var lineEnd: Int?

    public init(field: String, version: Int, lineStart: Int? = nil, lineEnd: Int? = nil) {
        self.field = field
        self.version = version
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }

    enum CodingKeys: String, CodingKey {
        case field, version
        case lineStart = "line_start"
        case lineEnd = "line_end"
    }
}
