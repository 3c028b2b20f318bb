import Foundation
import Testing
@testable import FoundryStore

@Suite("project.json written by hand")
struct ManifestEncodingTests {
    @Test("The hand-built bytes equal JSONEncoder's canonical ones, whatever the names hold", arguments: [
        ["alice": ProjectRole.owner],
        ["alice": .owner, "Bob": .editor, "zoë": .viewer, "quote\"slash/back\\": .reviewer, "tab\tnew\nline\u{1}\u{7f}": .editor, "日本": .viewer],
    ])
    func sameBytes(_ members: [String: ProjectRole]) throws {
        var manifest = ProjectManifest(
            id: "onco", name: "Oncology \"Agent\" / v2\u{8}\u{c}\r", createdAt: "2026-11-25T09:30:00.000Z", createdBy: "alice",
            state: .open, headVersion: 0, currentDraftID: nil, members: members
        )
        #expect(manifest.canonicalJSON() == (try CanonicalJSON.encode(manifest)))
        manifest.headVersion = 42
        manifest.currentDraftID = String(repeating: "ab", count: 32)
        manifest.state = .frozen
        manifest.freeze = FreezeInfo(bundle: "onco-0.1.42", version: 42, draftID: String(repeating: "cd", count: 32), frozenBy: "alice", frozenAt: "2026-11-25T10:00:00.000Z")
        #expect(manifest.canonicalJSON() == (try CanonicalJSON.encode(manifest)))
    }

    @Test("A thousand members: each save keeps project.json's head current, and a member change made by another process is seen at once")
    func thousandMembers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let workspace = try Workspace(root: directory.path)
        let members = Dictionary(uniqueKeysWithValues: (0..<1000).map { ("member\($0)", ProjectRole.editor) })
        let store = try workspace.createProject(NewProject(name: "Crowded", id: try ProjectID("crowded"), fields: [field("system_prompt"): "v1\n"], members: members), by: alice)
        let saved = try lockAndSave(store, "system_prompt", "saved by a thousand-member project\n", as: alice)
        let onDisk = try CanonicalJSON.decode(ProjectManifest.self, from: try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest)), path: "")
        #expect(onDisk.headVersion == saved.draft.record.versionNumber)
        #expect(onDisk.currentDraftID == saved.draft.id)
        #expect(onDisk.members.count == 1001)
        // Another process (here: a store of its own) removes a member; this store reads the new file.
        let other = ProjectStore(layout: store.layout, id: store.id)
        _ = try other.removeMember("member7", by: alice)
        #expect(try store.manifest().members["member7"] == nil)
        #expect(throws: StoreError.self) { try store.authorize(.read, user: "member7") }
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }
}
