/// `project.json`: the project's identity, state and head.
///
/// The manifest is replaced atomically after every new version. The draft
/// records are the truth: a manifest left behind by a crash (a record written,
/// the manifest not yet updated) is brought forward on the next start.
public struct ProjectManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.project/1"

    public var format: String = ProjectManifest.currentFormat
    public var id: String
    public var name: String
    public var createdAt: String
    public var createdBy: String
    public var state: ProjectState
    public var headVersion: Int
    /// The id of the head version's draft record (`nil` before the first version).
    public var currentDraftID: String?
    public var members: [String: ProjectRole]
    /// Set when the project is frozen: its bundle, version, who and when.
    public var freeze: FreezeInfo?
    /// What a freeze needs (absent: `ReleasePolicy.default`).
    public var releasePolicy: ReleasePolicy?

    enum CodingKeys: String, CodingKey {
        case format, id, name, state, members, freeze
        case releasePolicy = "release_policy"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case headVersion = "head_version"
        case currentDraftID = "current_draft_id"
    }

    /// A user id a project may list: 1-200 characters, not starting with `@` (the server's own actors).
    public static func isValidMemberID(_ user: String) -> Bool {
        (1...200).contains(user.count) && !user.hasPrefix("@") && !user.contains("\0")
    }
}

/// Whether a project still accepts changes.
public enum ProjectState: String, Codable, Sendable {
    case open, frozen
}

/// What a member may do in a project; the creator is its owner.
public enum ProjectRole: String, Codable, Sendable, CaseIterable {
    case owner, editor, reviewer, viewer
}
