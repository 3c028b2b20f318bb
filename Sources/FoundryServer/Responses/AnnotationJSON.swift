import FoundryStore

/// Comments and tasks as the API and the socket show them (one shape for both).
extension PlacedComment {
    /// The thread: its anchor as written, where its lines are now (`current`)
    /// or the version that changed them (`outdated_in`), its state, replies,
    /// and with `events` every record of it.
    func json(events: Bool = false) -> JSONValue {
        let comment = self.comment
        var data: [String: JSONValue] = [
            "id": .string(comment.id), "anchor": comment.anchor.json, "text": .string(comment.text),
            "author_id": .string(comment.authorID), "session_id": .string(comment.sessionID), "created_at": .string(comment.createdAt),
            "state": .string(comment.state.rawValue), "status": .string(status),
            "resolved_by": comment.state == .resolved ? comment.stateChangedBy.json : .null,
            "resolved_at": comment.state == .resolved ? comment.stateChangedAt.json : .null,
            "replies": .array(comment.replies.map(\.json)), "last_seq": .int(comment.lastSequence),
            "current": .null, "outdated_in": .null,
        ]
        switch position {
        case .at(let version, let lines):
            data["current"] = .object(["version": .int(version), "line_start": .int(lines.lowerBound), "line_end": .int(lines.upperBound)])
        case .outdated(let version):
            data["outdated_in"] = .int(version)
        case .later:
            break
        }
        if events { data["events"] = .array(comment.events.map(\.json)) }
        return .object(data)
    }
}

extension CommentAnchor {
    var json: JSONValue {
        .object([
            "version": .int(version), "draft_id": .string(draftID), "field": .string(field),
            "line_start": .int(lineStart), "line_end": .int(lineEnd),
        ])
    }
}

extension Comment.Reply {
    var json: JSONValue {
        .object([
            "id": .string(id), "seq": .int(sequence), "text": .string(text), "author_id": .string(authorID),
            "session_id": .string(sessionID), "created_at": .string(createdAt),
        ])
    }
}

extension StoredAnnotation where Record == CommentEvent {
    var json: JSONValue {
        .object([
            "seq": .int(sequence), "event": .string(record.event.rawValue), "author_id": .string(record.authorID),
            "session_id": .string(record.sessionID), "created_at": .string(record.createdAt),
            "file": .string(AnnotationSeries.comments.relativePath(sequence)), "sha256": .string(sha256),
        ])
    }
}

extension TaskItem {
    /// The item's current state; with `history`, every record of it; with
    /// `linkPosition`, where its linked lines are now (`link_current
    /// {version, line_start, line_end}` or `link_outdated_in`).
    func json(history: Bool = false, linkPosition: AnchorPosition? = nil) -> JSONValue {
        var data: [String: JSONValue] = [
            "id": .string(id), "title": .string(title), "done": .bool(done), "assignee": assignee.json,
            "link": link?.json ?? .null, "deleted": .bool(deleted),
            "created_by": .string(createdBy), "created_at": .string(createdAt),
            "updated_by": .string(updatedBy), "updated_at": .string(updatedAt), "last_seq": .int(lastSequence),
        ]
        if history { data["history"] = .array(events.map(\.json)) }
        switch linkPosition {
        case .at(let version, let lines):
            data["link_current"] = .object(["version": .int(version), "line_start": .int(lines.lowerBound), "line_end": .int(lines.upperBound)])
        case .outdated(let version):
            data["link_outdated_in"] = .int(version)
        case .later, nil:
            break
        }
        return .object(data)
    }
}

extension TaskLink {
    var json: JSONValue {
        var data: [String: JSONValue] = ["field": .string(field), "version": .int(version)]
        if let lineStart { data["line_start"] = .int(lineStart) }
        if let lineEnd { data["line_end"] = .int(lineEnd) }
        return .object(data)
    }
}

extension StoredAnnotation where Record == TaskEvent {
    var json: JSONValue {
        var data: [String: JSONValue] = [
            "seq": .int(sequence), "event": .string(record.event.rawValue), "author_id": .string(record.authorID),
            "session_id": .string(record.sessionID), "created_at": .string(record.createdAt),
            "file": .string(AnnotationSeries.tasks.relativePath(sequence)), "sha256": .string(sha256),
        ]
        if let title = record.title { data["title"] = .string(title) }
        if record.event == .created || record.event == .updated {
            data["assignee"] = record.assignee.json
            data["link"] = record.link?.json ?? .null
        }
        if let done = record.done { data["done"] = .bool(done) }
        if let changed = record.changed { data["changed"] = .array(changed.map(JSONValue.string)) }
        return .object(data)
    }
}

extension Scratchpad {
    var json: JSONValue {
        .object([
            "version": .int(version), "draft_id": draftID.json, "text": .string(text),
            "author_id": authorID.json, "updated_in": updatedIn.map(JSONValue.int) ?? .null,
        ])
    }
}
