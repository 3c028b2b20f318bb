/// A checklist item to create.
public struct NewTask: Sendable {
    public var title: String
    /// A member of the project, or `nil`.
    public var assignee: String?
    public var link: TaskLinkRequest?

    public init(title: String, assignee: String? = nil, link: TaskLinkRequest? = nil) {
        self.title = title
        self.assignee = assignee
        self.link = link
    }
}

/// A link as a request gives it: a field, optionally lines of it
/// (`lineEnd` defaults to `lineStart`), as of `version` (default: the head).
public struct TaskLinkRequest: Sendable {
    public var field: FieldName
    public var version: Int?
    public var lineStart: Int?
    public var lineEnd: Int?

    public init(field: FieldName, version: Int? = nil, lineStart: Int? = nil, lineEnd: Int? = nil) {
        self.field = field
        self.version = version
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }
}

/// An edit of a checklist item: each property that is not `nil` is set
/// (`.some(nil)` clears the assignee or the link).
public struct TaskChange: Sendable {
    public var title: String?
    public var done: Bool?
    public var assignee: String??
    public var link: TaskLinkRequest??

    public init(title: String? = nil, done: Bool? = nil, assignee: String?? = nil, link: TaskLinkRequest?? = nil) {
        self.title = title
        self.done = done
        self.assignee = assignee
        self.link = link
    }
}
