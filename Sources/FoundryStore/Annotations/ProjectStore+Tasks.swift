import Foundation

/// Checklist items: `tasks/<n>.json`, one record per event.
extension ProjectStore {
    /// Creates an item. Refused before anything is written when the title
    /// is blank or too long, the assignee is not a member, or the link names
    /// a version, field or lines that do not exist.
    public func createTask(_ new: NewTask, by identity: EditorIdentity, now: Date = Date()) throws -> TaskItem {
        let title = try Self.checkedTitle(new.title)
        return try changeAnnotations { writes in
            try requireOpenLocked()
            try checkAssignee(new.assignee)
            let link = try new.link.map(resolve)
            let stored = try writeAnnotationLocked(tasks, in: writes, now: now) { sequence in
                TaskEvent(
                    projectID: id.rawValue, sequence: sequence, taskID: TaskEvent.taskID(for: sequence), event: .created,
                    authorID: identity.user, sessionID: identity.session, createdAt: Timestamp.string(from: now),
                    title: title, assignee: new.assignee, link: link
                )
            }
            return TaskItem.fold([stored])[0]
        }
    }

    /// Applies `change` to item `taskID` as one record: `done`/`undone` when
    /// only `done` changes, `updated` otherwise. A change that changes
    /// nothing writes nothing. `taskNotFound` for an unknown id, `taskDeleted`
    /// for a deleted one.
    public func updateTask(_ taskID: String, _ change: TaskChange, by identity: EditorIdentity, now: Date = Date()) throws -> TaskItem {
        let title = try change.title.map(Self.checkedTitle)
        return try changeAnnotations { writes in
            try requireOpenLocked()
            var item = try liveTask(taskID)
            if let assignee = change.assignee { try checkAssignee(assignee) }
            let link = try change.link.map { try $0.map(resolve) }
            var after = item
            after.title = title ?? item.title
            after.done = change.done ?? item.done
            after.assignee = change.assignee ?? item.assignee
            after.link = link ?? item.link
            var changed: [String] = []
            if after.title != item.title { changed.append("title") }
            if after.assignee != item.assignee { changed.append("assignee") }
            if after.link != item.link { changed.append("link") }
            if after.done != item.done { changed.append("done") }
            guard !changed.isEmpty else { return item }
            let kind: TaskEvent.Kind = changed == ["done"] ? (after.done ? .done : .undone) : .updated
            let stored = try writeAnnotationLocked(tasks, in: writes, now: now) { sequence in
                var event = TaskEvent(
                    projectID: id.rawValue, sequence: sequence, taskID: taskID, event: kind,
                    authorID: identity.user, sessionID: identity.session, createdAt: Timestamp.string(from: now)
                )
                if kind == .updated {
                    event.title = after.title
                    event.assignee = after.assignee
                    event.link = after.link
                    event.done = changed.contains("done") ? after.done : nil
                    event.changed = changed
                }
                return event
            }
            item.apply(stored)
            return item
        }
    }

    /// Deletes item `taskID` with a tombstone record; its history stays.
    public func deleteTask(_ taskID: String, by identity: EditorIdentity, now: Date = Date()) throws -> TaskItem {
        try changeAnnotations { writes in
            try requireOpenLocked()
            var item = try liveTask(taskID)
            let stored = try writeAnnotationLocked(tasks, in: writes, now: now) { sequence in
                TaskEvent(
                    projectID: id.rawValue, sequence: sequence, taskID: taskID, event: .deleted,
                    authorID: identity.user, sessionID: identity.session, createdAt: Timestamp.string(from: now)
                )
            }
            item.apply(stored)
            return item
        }
    }

    /// Every item, in order of creation (deleted ones too).
    public func allTasks() throws -> [TaskItem] {
        TaskItem.fold(try tasks.all())
    }

    /// Item `taskID`, deleted or not; `taskNotFound` when there is none.
    public func task(_ taskID: String) throws -> TaskItem {
        guard let item = try allTasks().first(where: { $0.id == taskID }) else { throw StoreError.taskNotFound(taskID) }
        return item
    }

    private func liveTask(_ taskID: String) throws -> TaskItem {
        let item = try task(taskID)
        guard !item.deleted else { throw StoreError.taskDeleted(taskID) }
        return item
    }

    private func checkAssignee(_ assignee: String?) throws {
        guard let assignee else { return }
        guard try manifest().members[assignee] != nil else {
            throw StoreError.invalidArgument("the assignee '\(assignee)' is not a member of project '\(id.rawValue)'")
        }
    }

    private func resolve(_ link: TaskLinkRequest) throws -> TaskLink {
        let version = try link.version ?? headVersion()
        let end = link.lineEnd ?? link.lineStart
        _ = try checkLines(link.lineStart, end, of: link.field, in: version)
        return TaskLink(field: link.field.rawValue, version: version, lineStart: link.lineStart, lineEnd: end)
    }

    private static func checkedTitle(_ title: String) throws -> String {
        try checkText(title, what: "the task's title", limit: maximumTaskTitleBytes)
        return title.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where the linked lines of each task are at `version` (default: the
    /// head), by task id; tasks linked to a whole field (or to nothing) are absent.
    public func linkPositions(of items: [TaskItem], at version: Int? = nil) throws -> [String: AnchorPosition] {
        let target = try version ?? headVersion()
        let tracker = AnchorTracker(store: self)
        var positions: [String: AnchorPosition] = [:]
        for item in items {
            if let link = item.link, let position = try tracker.position(of: link, at: target) { positions[item.id] = position }
        }
        return positions
    }
}
