import Foundation

extension ProjectStore {
    /// The policy a freeze of this project follows.
    public func releasePolicy() throws -> ReleasePolicy {
        try manifest().releasePolicy ?? .default
    }

    /// Sets the release policy (owners only, open projects only), audited as
    /// `release_policy.set` with the previous values. Setting the policy in
    /// force writes nothing.
    @discardableResult
    public func setReleasePolicy(_ policy: ReleasePolicy, by actor: EditorIdentity, now: Date = Date()) throws -> ProjectManifest {
        guard (0...ReleasePolicy.maximumApprovals).contains(policy.approvalsRequired) else {
            throw StoreError.invalidArgument("approvals_required must be 0 to \(ReleasePolicy.maximumApprovals)")
        }
        return try mutex.change(auditedIn: audit) {
            var manifest = try manifest()
            guard manifest.members[actor.user] == .owner else {
                throw StoreError.forbidden(user: actor.user, action: ProjectAction.manage.rawValue, project: id.rawValue, role: manifest.members[actor.user]?.rawValue)
            }
            guard manifest.state == .open else { throw StoreError.projectFrozen(id.rawValue) }
            let previous = manifest.releasePolicy ?? .default
            guard previous != policy || manifest.releasePolicy == nil else { return manifest }
            manifest.releasePolicy = policy
            try writeManifest(manifest)
            try audit.appendLocked(AuditEvent(.releasePolicySet, by: actor, data: [
                "approvals_required": .int(policy.approvalsRequired), "four_eyes": .bool(policy.fourEyes),
                "previous_approvals_required": .int(previous.approvalsRequired), "previous_four_eyes": .bool(previous.fourEyes),
            ]), now: now)
            return manifest
        }
    }

    /// The approvals of `head` that count under `policy`; `approvalsMissing`
    /// when they are fewer than it asks. Call with the mutex held.
    func requireApprovalsLocked(of head: StoredDraft, policy: ReleasePolicy) throws -> [StoredSignature] {
        let authors = Set(try (1...head.record.versionNumber).map { try draft($0).record.authorID })
        var counted: [String: StoredSignature] = [:]
        var excluded = Set<String>()
        for signature in try signatureRecords(on: head.record.versionNumber) {
            let payload = signature.record.payload
            guard payload.meaning == .approved, payload.draftID == head.id else { continue }
            if policy.fourEyes, authors.contains(payload.signerID) {
                excluded.insert(payload.signerID)
            } else if counted[payload.signerID] == nil {
                counted[payload.signerID] = signature
            }
        }
        guard counted.count >= policy.approvalsRequired else {
            throw StoreError.approvalsMissing(ApprovalShortfall(
                version: head.record.versionNumber, required: policy.approvalsRequired, approvers: counted.keys.sorted(),
                excluded: excluded.sorted(), authors: authors.sorted(), fourEyes: policy.fourEyes
            ))
        }
        return counted.values.sorted { $0.sequence < $1.sequence }
    }
}
