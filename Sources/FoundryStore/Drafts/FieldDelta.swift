/// How one field changed from the parent version, for auditors: the old
/// blob and the sizes before and after (a missing side means added/removed).
public struct FieldDelta: Codable, Sendable, Equatable {
    public enum Change: String, Codable, Sendable { case added, removed, modified }

    public var change: Change
    public var oldSHA256: String?
    public var oldSize: Int?
    public var newSize: Int?

    enum CodingKeys: String, CodingKey {
        case change
        case oldSHA256 = "old_sha256"
        case oldSize = "old_size"
        case newSize = "new_size"
    }

    init(old: FieldEntry?, new: FieldEntry?) {
        change = old == nil ? .added : (new == nil ? .removed : .modified)
        oldSHA256 = old?.sha256
        oldSize = old?.size
        newSize = new?.size
    }
}
