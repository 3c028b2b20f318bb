import Foundation
import Testing
@testable import FoundryStore

@Suite("Saving versions under field locks")
struct SaveTests {
    @Test("Creating a project with fields writes version 1 and a manifest naming it")
    func creationWritesVersionOne() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let manifest = try store.manifest()
        let head = try #require(try store.head())
        #expect(manifest.headVersion == 1)
        #expect(manifest.currentDraftID == head.id)
        #expect(manifest.members == ["alice": .owner])
        #expect(head.record.label == "0.1.1")
        #expect(head.record.parentID == nil)
        #expect(head.record.changed == ["model_config.json", "system_prompt"])
        #expect(try store.contents(of: 1)["system_prompt"] == "line 1\nline 2\n")
    }

    @Test("A save needs the caller's own lock: none, someone else's or an expired one is refused")
    func saveNeedsOwnLock() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let request = SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "x\n"])
        #expect(throws: StoreError.lockNotHeld(field: "system_prompt", reason: "acquire the lock before saving")) {
            try store.save(request, by: alice)
        }
        let bobsLock = try store.locks.acquire(field("system_prompt"), for: bob, ttl: 60).lock
        #expect(throws: StoreError.lockHeld(bobsLock)) { try store.save(request, by: alice) }
        let otherTab = EditorIdentity(user: "bob", session: "bob-tab-2")
        #expect(throws: StoreError.lockHeld(bobsLock)) { try store.save(request, by: otherTab) }
        try store.locks.release(field("system_prompt"), by: bob)
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60, now: Date().addingTimeInterval(-120))
        #expect(throws: StoreError.self) { try store.save(request, by: alice) }
        #expect(try store.headVersion() == 1)
    }

    @Test("A save records author, session, lock token and delta, then releases the lock")
    func saveRecordsAttribution() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let token = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock.token
        let result = try store.save(SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "line 1\nline 2 edited\n"], message: "tighten"), by: alice)
        let record = result.draft.record
        #expect(result.created)
        #expect(record.versionNumber == 2)
        #expect(record.authorID == "alice")
        #expect(record.sessionID == "alice-tab-1")
        #expect(record.lockTokens == ["system_prompt": token])
        #expect(record.changed == ["system_prompt"])
        #expect(record.delta["system_prompt"]?.oldSize == 14)
        #expect(record.delta["system_prompt"]?.newSize == 21)
        #expect(record.parentID == (try store.draft(1).id))
        #expect(result.releasedLocks.map(\.token) == [token])
        #expect(try store.locks.all().isEmpty)
    }

    @Test("keep_locks keeps the lock for the next save")
    func keepLocks() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        _ = try store.save(SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "a\n"], keepLocks: true), by: alice)
        _ = try store.save(SaveRequest(baseVersion: 2, fields: [field("system_prompt"): "b\n"]), by: alice)
        #expect(try store.headVersion() == 3)
    }

    @Test("A stale base is refused only for a field that changed since; other fields merge onto the head")
    func perFieldStaleness() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        try store.locks.acquire(field("model_config.json"), for: bob, ttl: 60)
        _ = try store.save(SaveRequest(baseVersion: 1, fields: [field("model_config.json"): "{\"temperature\": 0.5}\n"]), by: bob)
        let merged = try store.save(SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "new prompt\n"]), by: alice)
        #expect(merged.draft.record.versionNumber == 3)
        #expect(try store.contents(of: 3) == ["system_prompt": "new prompt\n", "model_config.json": "{\"temperature\": 0.5}\n"])

        try store.locks.acquire(field("model_config.json"), for: alice, ttl: 60)
        #expect(throws: StoreError.staleBase(field: "model_config.json", base: 1, changedIn: 2)) {
            try store.save(SaveRequest(baseVersion: 1, fields: [field("model_config.json"): "{}\n"]), by: alice)
        }
        #expect(try store.headVersion() == 3)
    }

    @Test("A save that changes no byte creates no version; a null field removes it")
    func unchangedAndRemoval() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let unchanged = try lockAndSave(store, "system_prompt", "line 1\nline 2\n", as: alice)
        #expect(!unchanged.created)
        #expect(try store.headVersion() == 1)
        let removed = try lockAndSave(store, "model_config.json", nil, as: alice)
        #expect(removed.draft.record.fields["model_config.json"] == nil)
        #expect(removed.draft.record.delta["model_config.json"]?.change == .removed)
    }

    @Test("Invalid JSON may be saved as a draft, and its validity is recorded with the line")
    func invalidJSONRecorded() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let result = try lockAndSave(store, "model_config.json", "{\n  \"temperature\": 0.2,\n}\n", as: alice)
        let entry = try #require(result.draft.record.fields["model_config.json"])
        #expect(!entry.valid)
        #expect(entry.problem?.line == 3)
    }

    @Test("Concurrent saves on different fields from many threads all land as distinct versions")
    func concurrentSaves() async throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let editors = (0..<8).map { EditorIdentity(user: "user\($0)", session: "s\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, editor) in editors.enumerated() {
                group.addTask {
                    for round in 0..<3 {
                        try lockAndSave(store, "notes/\(index).txt", "round \(round)\n", as: editor, base: round == 0 ? 1 : nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.headVersion() == 1 + 8 * 3)
        let contents = try store.contents(of: 25)
        #expect((0..<8).allSatisfy { contents["notes/\($0).txt"] == "round 2\n" })
    }
}
