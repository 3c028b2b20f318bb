/// What a signature means (21 CFR 11.50(a)(3)): the signer's act, in one word
/// and in the sentence the record and the bundle manifest carry.
///
/// | meaning    | who may sign            | how                                    |
/// |------------|-------------------------|----------------------------------------|
/// | authored   | owner, editor           | `POST …/signatures`                    |
/// | reviewed   | owner, editor, reviewer | `POST …/signatures`                    |
/// | approved   | owner, reviewer         | `POST …/signatures`                    |
/// | released   | owner                   | by freezing the project (`POST …/freeze`) |
///
/// Approval is the quality unit's act: editors write versions and may
/// declare authorship and review, but do not approve them; viewers sign
/// nothing.
public enum SignatureMeaning: String, Codable, Sendable, CaseIterable {
    case authored, reviewed, approved, released

    /// The meaning as a sentence in the first person.
    public var statement: String {
        switch self {
        case .authored: "I am an author of this version and responsible for its content."
        case .reviewed: "I have reviewed this version."
        case .approved: "I approve this version for release."
        case .released: "I release this version: it is frozen into a bundle."
        }
    }

    /// Whether a member with `role` may sign with this meaning.
    public func permits(_ role: ProjectRole) -> Bool {
        switch (self, role) {
        case (_, .owner): true
        case (.authored, .editor), (.reviewed, .editor), (.reviewed, .reviewer), (.approved, .reviewer): true
        default: false
        }
    }
}
