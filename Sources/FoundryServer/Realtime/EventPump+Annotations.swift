import FoundryStore

/// Comment, task and signature records seen by the watcher become
/// `COMMENT_*`, `TASK_UPDATED` and `SIGNATURE_ADDED` broadcasts. Records are read and rendered here, on the I/O
/// pool; the hub only drops what it already announced.
extension EventPump {
    /// Record `sequence` appeared: announces it and every earlier record not
    /// announced yet (a gap the watcher did not report, or a record that was
    /// not readable when its own event came).
    func annotationAdded(_ series: AnnotationSeries, sequence: Int, hub: ProjectHub, store: ProjectStore) async throws {
        let cursor = await hub.annotationCursor(series)
        guard !cursor.isAnnounced(sequence) else { return }
        let announcements = try await io.run { try Self.announcements(series, after: cursor, through: sequence, store: store) }
        await hub.apply(.annotations(announcements))
    }

    /// After lost events: the records up to what `loaded` found on disk that the hub has not announced.
    func missedAnnotations(_ hub: ProjectHub, upTo loaded: AnnotationCursors, store: ProjectStore) async throws -> [AnnotationAnnouncement] {
        var missed: [AnnotationAnnouncement] = []
        for series in AnnotationSeries.allCases {
            let cursor = await hub.annotationCursor(series)
            let last = loaded[series].highest
            guard last > cursor.contiguous else { continue }
            missed += try await io.run { try Self.announcements(series, after: cursor, through: last, store: store) }
        }
        return missed
    }

    private static func announcements(_ series: AnnotationSeries, after cursor: AnnotationCursor, through last: Int, store: ProjectStore) throws -> [AnnotationAnnouncement] {
        guard last > cursor.contiguous else { return [] }
        let wanted = ((cursor.contiguous + 1)...last).filter { !cursor.isAnnounced($0) }
        switch series {
        case .comments:
            return store.comments.readable(wanted).map { commentAnnouncement($0, store: store) }
        case .tasks:
            return taskAnnouncements(Set(wanted), through: last, store: store)
        case .signatures:
            return store.signatures.readable(wanted).map {
                AnnotationAnnouncement(series: .signatures, sequence: $0.sequence, type: .signatureAdded, data: $0.jsonObject)
            }
        }
    }

    /// `COMMENT_CREATED` carries the whole comment as `GET …/comments/{id}`
    /// shows it at the head; the others name the comment and what happened.
    private static func commentAnnouncement(_ stored: StoredAnnotation<CommentEvent>, store: ProjectStore) -> AnnotationAnnouncement {
        let event = stored.record
        var data: [String: JSONValue] = [
            "comment_id": .string(event.commentID), "record_seq": .int(stored.sequence), "author_id": .string(event.authorID),
            "session_id": .string(event.sessionID), "created_at": .string(event.createdAt),
        ]
        let type: EventType
        switch event.event {
        case .created:
            guard let comment = Comment.fold([stored]).first, let placed = try? store.place([comment]).first, case .object(let full) = placed.json() else {
                return AnnotationAnnouncement(series: .comments, sequence: stored.sequence, type: .commentCreated, data: data)
            }
            return AnnotationAnnouncement(series: .comments, sequence: stored.sequence, type: .commentCreated, data: full)
        case .replied:
            type = .commentReplied
            data["reply"] = Comment.Reply(stored).json
        case .resolved:
            type = .commentResolved
            data["state"] = .string(Comment.State.resolved.rawValue)
        case .reopened:
            type = .commentReopened
            data["state"] = .string(Comment.State.open.rawValue)
        }
        return AnnotationAnnouncement(series: .comments, sequence: stored.sequence, type: type, data: data)
    }

    /// `TASK_UPDATED` with the item's state right after each wanted record:
    /// the records up to `last` are folded in order.
    private static func taskAnnouncements(_ wanted: Set<Int>, through last: Int, store: ProjectStore) -> [AnnotationAnnouncement] {
        var items: [String: TaskItem] = [:]
        var announcements: [AnnotationAnnouncement] = []
        for stored in store.tasks.readable(1...last) {
            let event = stored.record
            if event.event == .created {
                if items[event.taskID] == nil { items[event.taskID] = TaskItem.fold([stored]).first }
            } else {
                items[event.taskID]?.apply(stored)
            }
            guard wanted.contains(stored.sequence), let item = items[event.taskID] else { continue }
            announcements.append(AnnotationAnnouncement(series: .tasks, sequence: stored.sequence, type: .taskUpdated, data: [
                "event": .string(event.event.rawValue), "task": item.json(), "record_seq": .int(stored.sequence),
                "author_id": .string(event.authorID), "session_id": .string(event.sessionID), "created_at": .string(event.createdAt),
            ]))
        }
        return announcements
    }
}
