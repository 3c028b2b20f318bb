import FoundryStore

/// A version as the API returns it: the draft record as stored (the same keys
/// as `drafts/<n>.json`), its `id`, and optionally the field contents, the
/// signatures on the version, and what the request did with locks.
struct DraftResponse: Encodable {
    var draft: StoredDraft
    var contents: [String: String]?
    var created: Bool?
    var releasedLocks: [FieldLock]?
    var signatures: [JSONValue]?

    private enum ExtraKeys: String, CodingKey {
        case id, contents, created, signatures
        case releasedLocks = "released_locks"
    }

    func encode(to encoder: any Encoder) throws {
        try draft.record.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(draft.id, forKey: .id)
        try container.encodeIfPresent(contents, forKey: .contents)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encodeIfPresent(releasedLocks, forKey: .releasedLocks)
        try container.encodeIfPresent(signatures, forKey: .signatures)
    }
}
