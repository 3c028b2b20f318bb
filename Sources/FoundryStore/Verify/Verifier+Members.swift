import Foundation

extension Verifier {
    /// `project.json`'s members are what `project.created` and the `member.*`
    /// entries after it give. A member change writes the manifest, then its
    /// entry, so a crash can leave exactly one member differing (the change
    /// in flight); more than one is a manifest edited behind the server's back.
    func verifyMembers(_ layout: ProjectLayout, trail: AuditTrail, into report: inout VerificationReport) {
        guard let expected = trail.members,
              let data = try? FileIO.read(layout.manifest), let manifest = try? JSONDecoder().decode(ProjectManifest.self, from: data)
        else { return }
        let differing = Set(expected.keys).union(manifest.members.keys).filter { expected[$0] != manifest.members[$0] }.sorted()
        guard let user = differing.first else { return }
        guard differing.count == 1 else {
            report.damage(layout.manifest, "the roles of \(differing.joined(separator: ", ")) differ from what the trail's member entries give: the members were changed behind the server's back")
            return
        }
        trail.interrupted(.unauditedMemberChange, layout.manifest, "lists \(user) as \(manifest.members[user]?.rawValue ?? "no member"), the trail gives \(expected[user]?.rawValue ?? "no member"): a member change stopped between project.json and its audit line, never acknowledged", into: &report)
    }
}
