import Foundation
import Testing
@testable import FoundryStore

@Suite("Roles and members")
struct AccessTests {
    @Test("Each role permits exactly its actions")
    func permissionTable() {
        let expected: [ProjectRole: Set<ProjectAction>] = [
            .owner: Set(ProjectAction.allCases),
            .editor: [.read, .review, .edit, .sign],
            .reviewer: [.read, .review, .readAudit, .sign],
            .viewer: [.read],
        ]
        for role in ProjectRole.allCases {
            #expect(Set(ProjectAction.allCases.filter(role.permits)) == expected[role], "\(role)")
        }
    }

    @Test("The creator is owner; members get roles; a non-member or a weaker role is refused naming both")
    func authorize() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        #expect(try store.authorize(.manage, user: "alice") == .owner)
        try store.setMember("bob", role: .viewer, by: alice)
        #expect(try store.authorize(.read, user: "bob") == .viewer)
        #expect(throws: StoreError.forbidden(user: "bob", action: "edit", project: "onco", role: "viewer")) { try store.authorize(.edit, user: "bob") }
        #expect(throws: StoreError.forbidden(user: "carol", action: "read", project: "onco", role: nil)) { try store.authorize(.read, user: "carol") }
    }

    @Test("Only owners change members, and the last owner can be neither removed nor demoted")
    func memberRules() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.setMember("bob", role: .editor, by: alice)
        let manifestBefore = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        #expect(throws: StoreError.forbidden(user: "bob", action: "manage", project: "onco", role: "editor")) { try store.setMember("bob", role: .owner, by: bob) }
        #expect(throws: StoreError.lastOwner(project: "onco")) { try store.setMember("alice", role: .editor, by: alice) }
        #expect(throws: StoreError.lastOwner(project: "onco")) { try store.removeMember("alice", by: alice) }
        #expect(throws: StoreError.memberNotFound(user: "carol", project: "onco")) { try store.removeMember("carol", by: alice) }
        #expect(throws: StoreError.self) { try store.setMember("@foundry", role: .viewer, by: alice) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest)) == manifestBefore)

        try store.setMember("bob", role: .owner, by: alice)
        try store.removeMember("alice", by: bob)
        #expect(try store.manifest().members == ["bob": .owner])
    }
}
