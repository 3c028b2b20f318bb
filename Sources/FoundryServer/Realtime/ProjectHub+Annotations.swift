import FoundryStore

extension ProjectHub {
    func annotationCursor(_ series: AnnotationSeries) -> AnnotationCursor {
        files.annotations[series]
    }

    /// Broadcasts each record not announced yet, in the order given.
    func announce(_ announcements: [AnnotationAnnouncement]) {
        for announcement in announcements where files.annotations[announcement.series].mark(announcement.sequence) {
            broadcast(announcement.type, announcement.data)
        }
    }

    /// `SCRATCHPAD_UPDATED` for a new version that changed the `scratchpad` field (after its `DRAFT_SAVED`).
    func announceScratchpad(_ draft: StoredDraft) {
        let record = draft.record
        guard record.changed.contains(Scratchpad.field.rawValue) else { return }
        broadcast(.scratchpadUpdated, [
            "version": .int(record.versionNumber), "draft_id": .string(draft.id), "author_id": .string(record.authorID),
            "session_id": .string(record.sessionID), "removed": .bool(record.fields[Scratchpad.field.rawValue] == nil),
        ])
    }

    /// What a joining socket learns about annotations: the last record of
    /// each series announced, so an IDE knows whether its lists are current.
    var annotationSnapshot: [String: JSONValue] {
        [
            "comments_seq": .int(files.annotations.comments.highest), "tasks_seq": .int(files.annotations.tasks.highest),
            "signatures_seq": .int(files.annotations.signatures.highest),
        ]
    }
}
