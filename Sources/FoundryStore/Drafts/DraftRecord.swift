/// The immutable record of one version: `drafts/<n>.json`.
///
/// The file is written once in canonical JSON; its id is the SHA-256 of its
/// bytes and it names its parent's id, so the history is a hash chain an
/// auditor recomputes with `sha256sum drafts/*.json` and `jq .parent_id`.
public struct DraftRecord: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.draft/1"

    public var format: String = DraftRecord.currentFormat
    public var projectID: String
    public var versionNumber: Int
    /// `0.1.N`
    public var label: String
    /// SHA-256 of the previous version's record; `nil` for version 1.
    public var parentID: String?
    public var kind: DraftKind
    public var authorID: String
    public var sessionID: String
    public var createdAt: String
    public var message: String?
    /// Every field of this version.
    public var fields: [String: FieldEntry]
    /// Fields whose content differs from the parent version, sorted.
    public var changed: [String]
    public var delta: [String: FieldDelta]
    /// Fencing tokens of the locks the author held for the changed fields.
    public var lockTokens: [String: Int]
    /// For `revert`: the version restored.
    public var revertedTo: Int?
    /// For `undo`/`redo`: the edit version undone or redone.
    public var undoOf: Int?
    public var redoOf: Int?

    enum CodingKeys: String, CodingKey {
        case format, label, kind, message, fields, changed, delta
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
    }

    public static func label(for version: Int) -> String { "0.1.\(version)" }
}

/// A draft record together with its id (the SHA-256 of its file).
public struct StoredDraft: Sendable, Equatable {
    public var id: String
    public var record: DraftRecord
}
