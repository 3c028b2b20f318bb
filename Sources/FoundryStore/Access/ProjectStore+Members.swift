import Foundation

/// Members and their roles, kept in `project.json`; every change is audited.
extension ProjectStore {
    /// The caller's role when it permits `action`; `forbidden` otherwise
    /// (also for users who are not members at all).
    @discardableResult
    public func authorize(_ action: ProjectAction, user: String) throws -> ProjectRole {
        let role = try manifest().members[user]
        guard let role, role.permits(action) else {
            throw StoreError.forbidden(user: user, action: action.rawValue, project: id.rawValue, role: role?.rawValue)
        }
        return role
    }

    /// Gives `user` the role `role` (adds or changes a member). The last owner cannot be demoted.
    @discardableResult
    public func setMember(_ user: String, role: ProjectRole, by actor: EditorIdentity, now: Date = Date()) throws -> ProjectManifest {
        guard ProjectManifest.isValidMemberID(user) else {
            throw StoreError.invalidArgument("a member's user id is 1-200 characters and does not start with '@'")
        }
        return try changeMembers(by: actor, now: now) { members in
            let previous = members[user]
            members[user] = role
            return AuditEvent(.memberSet, by: actor, data: ["member": .string(user), "role": .string(role.rawValue), "previous_role": (previous?.rawValue).json])
        }
    }

    /// Removes `user` from the project. The last owner cannot be removed.
    @discardableResult
    public func removeMember(_ user: String, by actor: EditorIdentity, now: Date = Date()) throws -> ProjectManifest {
        try changeMembers(by: actor, now: now) { members in
            guard let previous = members.removeValue(forKey: user) else {
                throw StoreError.memberNotFound(user: user, project: id.rawValue)
            }
            return AuditEvent(.memberRemoved, by: actor, data: ["member": .string(user), "previous_role": .string(previous.rawValue)])
        }
    }

    /// Rewrites `project.json` (bringing its head up to date on the way)
    /// and audits the change; durable on return.
    private func changeMembers(by actor: EditorIdentity, now: Date, _ change: (inout [String: ProjectRole]) throws -> AuditEvent) throws -> ProjectManifest {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            var manifest = try manifest()
            guard manifest.members[actor.user] == .owner else {
                throw StoreError.forbidden(user: actor.user, action: ProjectAction.manage.rawValue, project: id.rawValue, role: manifest.members[actor.user]?.rawValue)
            }
            let event = try change(&manifest.members)
            guard manifest.members.values.contains(.owner) else { throw StoreError.lastOwner(project: id.rawValue) }
            try writeManifest(manifest, in: writes)
            try audit.appendLocked(event, to: writes, now: now)
            return manifest
        }.wait()
    }
}
