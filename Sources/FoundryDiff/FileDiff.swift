/// Whether a field appears, disappears or changes between two versions.
public enum FileStatus: String, Codable, Sendable {
    case added, removed, modified
}

/// The changes of one field between two versions.
public struct FileDiff: Codable, Sendable, Equatable {
    public var field: String
    public var status: FileStatus
    public var oldHash: String?
    public var newHash: String?
    public var hunks: [Hunk]

    enum CodingKeys: String, CodingKey {
        case field, status, hunks
        case oldHash = "old_hash"
        case newHash = "new_hash"
    }

    /// Compares two sides of one field; `nil` on a side means the field is absent there.
    public init(field: String, old: DiffSide?, new: DiffSide?, context: Int = 3) {
        self.field = field
        status = old == nil ? .added : (new == nil ? .removed : .modified)
        oldHash = old?.hash
        newHash = new?.hash
        hunks = HunkBuilder(old: TextLines(old?.text ?? "").lines, new: TextLines(new?.text ?? "").lines, context: context).hunks()
    }
}
