import Foundation
import Testing
@testable import FoundryStore

@Suite("Fencing-token counter after a crash")
struct TokenCounterTests {
    @Test("A lock file whose counter's new name was lost (a power loss without a journal) raises the counter at the next start; no token is handed out twice")
    func counterBehindALock() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let held = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        // The counter as it was before the grant, as if its rename had not reached the disk.
        try Data("\(held.token - 1)\n".utf8).write(to: URL(fileURLWithPath: store.layout.locks + "/.token"))
        let restarted = try Workspace(root: directory.path)
        let repairs = try restarted.recover()
        #expect(repairs.contains("onco: fencing-token counter brought up to the largest lock token on disk"))
        let next = try restarted.project(ProjectID("onco")).locks.acquire(field("model_config.json"), for: bob, ttl: 60).lock
        #expect(next.token == held.token + 1)
        #expect(try restarted.recover().isEmpty, "nothing to repair once the counter is right")
    }
}
