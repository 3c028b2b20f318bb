import Foundation
import Testing
@testable import FoundryStore

@Suite("Field locks as files")
struct LockTableTests {
    @Test("Acquire writes locks/<field>.lock; a second session is denied with the holder named")
    func acquireAndDeny() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let acquired = try store.locks.acquire(field("tests/bec.jsonl"), for: alice, ttl: 60)
        #expect(!acquired.refreshed)
        let path = store.layout.locks + "/tests%2Fbec.jsonl.lock"
        let onDisk = try JSONDecoder().decode(FieldLock.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == acquired.lock)
        #expect(throws: StoreError.lockHeld(acquired.lock)) { try store.locks.acquire(field("tests/bec.jsonl"), for: bob, ttl: 60) }
    }

    @Test("The holder refreshes its lease; the token stays and the expiry moves")
    func refresh() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let now = Date()
        let first = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 10, now: now)
        let again = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 100, now: now.addingTimeInterval(5))
        #expect(again.refreshed)
        #expect(again.lock.token == first.lock.token)
        #expect(again.lock.expiresAt > first.lock.expiresAt)
    }

    @Test("An expired lock is free: the next acquirer gets a higher fencing token")
    func expiry() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let old = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 1, now: Date().addingTimeInterval(-10))
        let new = try store.locks.acquire(field("system_prompt"), for: bob, ttl: 60)
        #expect(new.expiredPredecessor == old.lock)
        #expect(new.lock.token > old.lock.token)
        #expect(throws: StoreError.self) { try store.locks.release(field("system_prompt"), by: alice) }
    }

    @Test("The reaper removes only expired locks")
    func reaper() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("a"), for: alice, ttl: 1, now: Date().addingTimeInterval(-10))
        try store.locks.acquire(field("b"), for: alice, ttl: 60)
        let reaped = try store.locks.reapExpired()
        #expect(reaped.map(\.field) == ["a"])
        #expect(try store.locks.all().map(\.field) == ["b"])
    }

    @Test("Only the holder releases, unless forced; a session's locks all go on disconnect")
    func release() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("a"), for: alice, ttl: 60)
        try store.locks.acquire(field("b"), for: alice, ttl: 60)
        #expect(throws: StoreError.self) { try store.locks.release(field("a"), by: bob) }
        #expect(try store.locks.release(field("a"), by: bob, force: true).user == "alice")
        #expect(try store.locks.releaseAll(of: alice).map(\.field) == ["b"])
        #expect(try store.locks.all().isEmpty)
    }

    @Test("Sixteen threads racing for one field: exactly one wins, tokens are unique")
    func race() async throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let winners = try await withThrowingTaskGroup(of: Int?.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try? store.locks.acquire(field("system_prompt"), for: EditorIdentity(user: "u\(index)", session: "s\(index)"), ttl: 60).lock.token
                }
            }
            return try await group.reduce(into: [Int]()) { if let token = $1 { $0.append(token) } }
        }
        #expect(winners.count == 1)
    }
}
