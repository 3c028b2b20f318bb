import Foundation
import Testing
@testable import FoundryStore

@Suite("Fencing-token counter after a crash")
struct TokenCounterTests {
    @Test("A lock file whose counter's new name was lost with the grant's audit line (a power loss without a journal) is a crash state verify names; the next start raises the counter, so no token is handed out twice")
    func counterBehindALock() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let held = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        // The files as a power loss inside the grant's flush round leaves them: the lock file's name
        // durable, the counter's rename not, and the lock.acquired line (written after that round) lost.
        try Data("\(held.token - 1)\n".utf8).write(to: URL(fileURLWithPath: store.layout.locks + "/.token"))
        let trail = try Data(contentsOf: URL(fileURLWithPath: store.layout.audit))
        let lines = trail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        #expect(String(decoding: lines.last ?? Data(), as: UTF8.self).contains("\"lock.acquired\""))
        try (lines.dropLast().map { Data($0) + Data("\n".utf8) }.reduce(Data(), +)).write(to: URL(fileURLWithPath: store.layout.audit))
        let report = try Verifier(workspace: try Workspace(root: directory.path)).verify()
        #expect(report.isClean, "a crash state, not damage: \(report.findings)")
        #expect(report.findings.contains { $0.state == .tokenCounterBehind })
        let restarted = try Workspace(root: directory.path)
        let repairs = try restarted.recover()
        #expect(repairs.contains("onco: fencing-token counter brought up to the largest lock token on disk"), "\(repairs)")
        let next = try restarted.project(ProjectID("onco")).locks.acquire(field("model_config.json"), for: bob, ttl: 60).lock
        #expect(next.token == held.token + 1)
        #expect(try restarted.recover().isEmpty, "nothing to repair once the counter is right")
    }
}
