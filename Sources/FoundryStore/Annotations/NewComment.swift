/// A comment to start: lines `lineStart…lineEnd` (1-based, inclusive) of
/// `field` as it is in `version`, and the text.
public struct NewComment: Sendable {
    public var version: Int
    public var field: FieldName
    public var lineStart: Int
    public var lineEnd: Int
    public var text: String

    public init(version: Int, field: FieldName, lineStart: Int, lineEnd: Int, text: String) {
        self.version = version
        self.field = field
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.text = text
    }
}

/// A comment together with where its lines are at the version it is shown at.
public struct PlacedComment: Sendable, Equatable {
    public var comment: Comment
    public var position: AnchorPosition

    /// Open and not outdated, resolved, or open but outdated: the three
    /// values of a list's `state` filter, which partition the comments.
    public var status: String {
        if comment.state == .resolved { return "resolved" }
        if case .outdated = position { return "outdated" }
        return "open"
    }
}
