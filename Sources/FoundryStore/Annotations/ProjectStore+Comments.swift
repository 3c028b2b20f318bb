import Foundation

/// Comment threads: `comments/<n>.json`, one record per event.
extension ProjectStore {
    /// Starts a thread on lines of a field in a version. Refused with
    /// `versionNotFound`, `fieldNotFound`, `invalidRange` (naming the field's
    /// line count), `invalidArgument` (blank or too long text) or
    /// `projectFrozen` before anything is written.
    public func createComment(_ new: NewComment, by identity: EditorIdentity, now: Date = Date()) throws -> Comment {
        try Self.checkText(new.text, what: "the comment", limit: Self.maximumCommentBytes)
        return try changeAnnotations { writes in
            try requireOpenLocked()
            let draftID = try checkLines(new.lineStart, new.lineEnd, of: new.field, in: new.version)
            let anchor = CommentAnchor(version: new.version, draftID: draftID, field: new.field.rawValue, lineStart: new.lineStart, lineEnd: new.lineEnd)
            let stored = try writeAnnotationLocked(comments, in: writes, now: now) { sequence in
                CommentEvent(
                    projectID: id.rawValue, sequence: sequence, commentID: CommentEvent.commentID(for: sequence), event: .created,
                    authorID: identity.user, sessionID: identity.session, createdAt: Timestamp.string(from: now), anchor: anchor, text: new.text
                )
            }
            return Comment.fold([stored])[0]
        }
    }

    /// Adds a reply to thread `commentID` (resolved threads too).
    public func reply(to commentID: String, text: String, by identity: EditorIdentity, now: Date = Date()) throws -> Comment {
        try Self.checkText(text, what: "the reply", limit: Self.maximumCommentBytes)
        return try changeComment(commentID, .replied, text: text, by: identity, now: now)
    }

    /// Marks thread `commentID` resolved; `conflict` when it already is.
    public func resolveComment(_ commentID: String, by identity: EditorIdentity, now: Date = Date()) throws -> Comment {
        try changeComment(commentID, .resolved, by: identity, now: now)
    }

    /// Marks a resolved thread open again; `conflict` when it is open.
    public func reopenComment(_ commentID: String, by identity: EditorIdentity, now: Date = Date()) throws -> Comment {
        try changeComment(commentID, .reopened, by: identity, now: now)
    }

    /// Every thread, in order of creation.
    public func allComments() throws -> [Comment] {
        Comment.fold(try comments.all())
    }

    /// Thread `commentID`; `commentNotFound` when there is none.
    public func comment(_ commentID: String) throws -> Comment {
        guard let comment = try allComments().first(where: { $0.id == commentID }) else { throw StoreError.commentNotFound(commentID) }
        return comment
    }

    /// Where each comment's lines are at `version` (default: the head).
    public func place(_ comments: [Comment], at version: Int? = nil) throws -> [PlacedComment] {
        let target = try version.map(requireVersion) ?? headVersion()
        let tracker = AnchorTracker(store: self)
        return try comments.map { PlacedComment(comment: $0, position: try tracker.position(of: $0.anchor, at: target)) }
    }

    private func changeComment(_ commentID: String, _ kind: CommentEvent.Kind, text: String? = nil, by identity: EditorIdentity, now: Date) throws -> Comment {
        try changeAnnotations { writes in
            try requireOpenLocked()
            var comment = try comment(commentID)
            switch (kind, comment.state) {
            case (.resolved, .resolved): throw StoreError.conflict("comment \(commentID) is already resolved")
            case (.reopened, .open): throw StoreError.conflict("comment \(commentID) is open; only a resolved comment can be reopened")
            default: break
            }
            let stored = try writeAnnotationLocked(comments, in: writes, now: now) { sequence in
                CommentEvent(
                    projectID: id.rawValue, sequence: sequence, commentID: commentID, event: kind,
                    authorID: identity.user, sessionID: identity.session, createdAt: Timestamp.string(from: now), text: text
                )
            }
            comment.apply(stored)
            return comment
        }
    }
}
