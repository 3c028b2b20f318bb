import Foundation
import Testing
@testable import FoundryStore

@Suite("A released lock's tombstone and its audit line")
struct TombstoneOrderTests {
    @Test("The tombstone stays until the round that flushes lock.released has run: a later change's flush of locks/ can never make the release vanish before its line is durable")
    func tombstoneOutlivesTheUnflushedLine() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let lock = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        func tombstones() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: store.layout.locks).filter { LockTombstone(fileName: $0) != nil }
        }

        store.groupCommit.hold()
        let pending = store.locks.submitRelease(field("system_prompt"), by: alice)
        // The release is decided and written; its round is held, so its line is not flushed yet.
        #expect(try FileManager.default.fileExists(atPath: store.layout.lock(field("system_prompt"))) == false)
        #expect(try tombstones() == [LockTombstone(field: field("system_prompt"), token: lock.token, reason: .cancel).fileName])
        // Another change of the project meanwhile (its own names flushed under the mutex) leaves it too.
        let other = store.locks.submitAcquire(field("model_config.json"), for: bob, ttl: 60)
        #expect(try tombstones().count == 1)

        store.groupCommit.release()
        _ = try pending.wait()
        _ = try other.wait()
        #expect(try tombstones().isEmpty, "unlinked once the line is durable")
        #expect(try Verifier(workspace: try Workspace(root: directory.path)).verify().findings.isEmpty)
    }
}
