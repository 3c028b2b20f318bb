import FoundryStore

/// A version as the API returns it: the draft record's facts, its id, and
/// optionally the field contents and what the request did with locks.
struct DraftResponse: Encodable {
    var draft: StoredDraft
    var contents: [String: String]?
    var created: Bool?
    var releasedLocks: [FieldLock]?

    enum CodingKeys: String, CodingKey {
        case id, label, kind, message, fields, changed, delta, contents, created
        case projectID = "project_id"
        case versionNumber = "version_number"
        case parentID = "parent_id"
        case authorID = "author_id"
        case sessionID = "session_id"
        case createdAt = "created_at"
        case lockTokens = "lock_tokens"
        case revertedTo = "reverted_to"
        case undoOf = "undo_of"
        case redoOf = "redo_of"
        case releasedLocks = "released_locks"
    }

    func encode(to encoder: any Encoder) throws {
        let record = draft.record
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(draft.id, forKey: .id)
        try container.encode(record.projectID, forKey: .projectID)
        try container.encode(record.versionNumber, forKey: .versionNumber)
        try container.encode(record.label, forKey: .label)
        try container.encode(record.kind, forKey: .kind)
        try container.encode(record.parentID, forKey: .parentID)
        try container.encode(record.authorID, forKey: .authorID)
        try container.encode(record.sessionID, forKey: .sessionID)
        try container.encode(record.createdAt, forKey: .createdAt)
        try container.encode(record.message, forKey: .message)
        try container.encode(record.fields, forKey: .fields)
        try container.encode(record.changed, forKey: .changed)
        try container.encode(record.delta, forKey: .delta)
        try container.encode(record.lockTokens, forKey: .lockTokens)
        try container.encodeIfPresent(record.revertedTo, forKey: .revertedTo)
        try container.encodeIfPresent(record.undoOf, forKey: .undoOf)
        try container.encodeIfPresent(record.redoOf, forKey: .redoOf)
        try container.encodeIfPresent(contents, forKey: .contents)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encodeIfPresent(releasedLocks, forKey: .releasedLocks)
    }
}
