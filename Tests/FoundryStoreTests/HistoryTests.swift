import Foundation
import Testing
@testable import FoundryStore

@Suite("Revert, undo and redo create new versions")
struct HistoryTests {
    @Test("Story C: v15 breaks the JSON, revert to v14 creates v16, a clone of v14")
    func rollback() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        for version in 2...14 { try lockAndSave(store, "system_prompt", "prompt v\(version)\n", as: alice) }
        try lockAndSave(store, "model_config.json", "{\"temperature\": 0.2,}\n", as: bob)
        #expect(try store.head()?.record.fields["model_config.json"]?.valid == false)
        let reverted = try store.revert(to: 14, by: bob)
        #expect(reverted.record.versionNumber == 16)
        #expect(reverted.record.kind == .revert)
        #expect(reverted.record.revertedTo == 14)
        #expect(reverted.record.fields == (try store.draft(14).record.fields))
        #expect(reverted.record.changed == ["model_config.json"])
        #expect(try store.draft(15).record.fields["model_config.json"]?.valid == false)
    }

    @Test("Undo walks a field back edit by edit, redo walks it forward, a new edit clears redo")
    func undoRedo() throws {
        let (directory, _, store) = try makeProject(["system_prompt": "A\n", "other": "x\n"])
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "B\n", as: alice)
        try lockAndSave(store, "other", "y\n", as: bob)
        try lockAndSave(store, "system_prompt", "C\n", as: alice)
        func prompt() throws -> String? { try store.contents(of: try store.headVersion())["system_prompt"] }

        #expect(try store.undo(field("system_prompt"), by: alice).record.undoOf == 4)
        #expect(try prompt() == "B\n")
        try store.undo(field("system_prompt"), by: alice)
        #expect(try prompt() == "A\n")
        #expect(try store.contents(of: try store.headVersion())["other"] == "y\n")
        #expect(try store.redo(field("system_prompt"), by: alice).record.redoOf == 2)
        #expect(try prompt() == "B\n")
        try store.redo(field("system_prompt"), by: alice)
        #expect(try prompt() == "C\n")
        #expect(throws: StoreError.nothingToRedo(field: "system_prompt")) { try store.redo(field("system_prompt"), by: alice) }
        try store.undo(field("system_prompt"), by: alice)
        try lockAndSave(store, "system_prompt", "D\n", as: alice)
        #expect(throws: StoreError.nothingToRedo(field: "system_prompt")) { try store.redo(field("system_prompt"), by: alice) }
        #expect(try store.headVersion() == 10)
    }

    @Test("Undo of a field's creation removes it; nothing more to undo after that")
    func undoCreation() throws {
        let (directory, _, store) = try makeProject(["system_prompt": "A\n"])
        defer { directory.cleanup() }
        try store.undo(field("system_prompt"), by: alice)
        #expect(try store.head()?.record.fields.isEmpty == true)
        #expect(throws: StoreError.nothingToUndo(field: "system_prompt")) { try store.undo(field("system_prompt"), by: alice) }
    }

    @Test("Revert and undo refuse to touch a field another session holds")
    func respectsLocks() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "B\n", as: alice)
        let lock = try store.locks.acquire(field("system_prompt"), for: bob, ttl: 60).lock
        #expect(throws: StoreError.lockHeld(lock)) { try store.revert(to: 1, by: alice) }
        #expect(throws: StoreError.lockHeld(lock)) { try store.undo(field("system_prompt"), by: alice) }
        #expect(try store.headVersion() == 2)
    }

    @Test("Reverting to a version that does not exist is refused")
    func revertUnknown() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 9)) { try store.revert(to: 9, by: alice) }
    }
}
