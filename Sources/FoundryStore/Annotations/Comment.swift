/// A comment thread as its events make it: the anchor, the first text,
/// the replies and whether it is resolved.
public struct Comment: Sendable, Equatable {
    public struct Reply: Sendable, Equatable {
        /// `r-<n>`, n the number of its `replied` record.
        public var id: String
        public var sequence: Int
        public var text: String
        public var authorID: String
        public var sessionID: String
        public var createdAt: String

        /// The reply a `replied` record adds.
        public init(_ stored: StoredAnnotation<CommentEvent>) {
            id = "r-\(stored.sequence)"
            sequence = stored.sequence
            text = stored.record.text ?? ""
            authorID = stored.record.authorID
            sessionID = stored.record.sessionID
            createdAt = stored.record.createdAt
        }
    }

    public enum State: String, Sendable {
        case open, resolved
    }

    public var id: String
    public var anchor: CommentAnchor
    public var text: String
    public var authorID: String
    public var sessionID: String
    public var createdAt: String
    public var state: State
    /// Who resolved (or last reopened) it, and when.
    public var stateChangedBy: String?
    public var stateChangedAt: String?
    public var replies: [Reply]
    /// Every record of the thread, oldest first.
    public var events: [StoredAnnotation<CommentEvent>]

    /// The number of the thread's newest record.
    public var lastSequence: Int { events.last?.sequence ?? 0 }

    /// The threads of a series of records, in order of creation. Records of
    /// a thread that was never created (hand-made files) are ignored here and
    /// reported by `foundry verify`.
    public static func fold(_ records: [StoredAnnotation<CommentEvent>]) -> [Comment] {
        var comments: [Comment] = []
        var index: [String: Int] = [:]
        for stored in records {
            let event = stored.record
            if event.event == .created {
                guard index[event.commentID] == nil, let anchor = event.anchor else { continue }
                index[event.commentID] = comments.count
                comments.append(Comment(
                    id: event.commentID, anchor: anchor, text: event.text ?? "", authorID: event.authorID,
                    sessionID: event.sessionID, createdAt: event.createdAt, state: .open, replies: [], events: [stored]
                ))
                continue
            }
            guard let position = index[event.commentID] else { continue }
            comments[position].apply(stored)
        }
        return comments
    }

    public mutating func apply(_ stored: StoredAnnotation<CommentEvent>) {
        let event = stored.record
        events.append(stored)
        switch event.event {
        case .created:
            break
        case .replied:
            replies.append(Reply(stored))
        case .resolved, .reopened:
            state = event.event == .resolved ? .resolved : .open
            stateChangedBy = event.authorID
            stateChangedAt = event.createdAt
        }
    }
}
