/// The freeze of a project as `project.json` records it.
public struct FreezeInfo: Codable, Sendable, Equatable {
    public var bundle: String
    public var version: Int
    public var draftID: String
    public var frozenBy: String
    public var frozenAt: String

    enum CodingKeys: String, CodingKey {
        case bundle, version
        case draftID = "draft_id"
        case frozenBy = "frozen_by"
        case frozenAt = "frozen_at"
    }
}
