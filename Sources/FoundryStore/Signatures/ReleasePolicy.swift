/// What a freeze of a project needs, set by its owners in `project.json`
/// (`release_policy`) and audited (`release_policy.set`).
public struct ReleasePolicy: Codable, Sendable, Equatable {
    /// One approval, no four-eyes rule: a project that says nothing.
    public static let `default` = ReleasePolicy(approvalsRequired: 1, fourEyes: false)
    /// The most approvals a policy may ask for.
    public static let maximumApprovals = 20

    /// `approved` signatures on the head version, by distinct signers, a freeze needs.
    public var approvalsRequired: Int
    /// Four eyes: an approval counts only when its signer authored none of
    /// the versions of the release (every version since the last freeze).
    public var fourEyes: Bool

    public init(approvalsRequired: Int, fourEyes: Bool) {
        self.approvalsRequired = approvalsRequired
        self.fourEyes = fourEyes
    }

    enum CodingKeys: String, CodingKey {
        case approvalsRequired = "approvals_required"
        case fourEyes = "four_eyes"
    }
}

/// Why a freeze was refused for want of approvals: what the policy asks,
/// which approvals count, which do not and why.
public struct ApprovalShortfall: Sendable, Equatable, CustomStringConvertible {
    public var version: Int
    public var required: Int
    /// Signers whose approval counts, sorted.
    public var approvers: [String]
    /// Signers who approved but do not count under four eyes, sorted.
    public var excluded: [String]
    /// Who authored the versions of the release, sorted.
    public var authors: [String]
    public var fourEyes: Bool

    public var description: String {
        var text = "version \(version) needs \(required) approved signature(s) by distinct signers before a freeze and has \(approvers.count)"
        if !approvers.isEmpty { text += " (\(approvers.joined(separator: ", ")))" }
        if !excluded.isEmpty {
            text += "; under four eyes the approval of \(excluded.joined(separator: ", ")) does not count: they authored versions of this release"
        }
        text += "; missing: \(required - approvers.count) approval(s) (POST …/signatures with meaning 'approved', by an owner or reviewer"
        text += fourEyes ? " who is not one of the authors \(authors.joined(separator: ", ")))" : ")"
        return text
    }
}
