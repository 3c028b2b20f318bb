import Foundation
import Testing
@testable import FoundryStore

/// Signed checkpoints of the audit trail, and what they catch: a tail cut
/// after a checkpoint, a trail rewritten before one, an edited checkpoint.
@Suite("Audit checkpoints")
struct CheckpointTests {
    /// `onco` checkpointed every 5 entries, then locked and released until the trail has `entries` entries.
    static func project(entries: Int) throws -> (TemporaryDirectory, Workspace, ProjectStore) {
        let (directory, workspace, store) = try makeProject(signing: NotaryOptions(checkpointEvery: 5))
        while try store.audit.entries().count < entries {
            try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
            if try store.audit.entries().count < entries { try store.locks.release(field("system_prompt"), by: alice) }
        }
        return (directory, workspace, store)
    }

    @Test("Every fifth entry a checkpoint signed by the server key names the trail's length and last line")
    func everyNEntries() throws {
        let (directory, workspace, store) = try Self.project(entries: 12)
        defer { directory.cleanup() }
        let checkpoints = try store.checkpoints()
        #expect(checkpoints.map(\.payload.auditEntries) == [5, 10])
        let lines = try store.audit.entries()
        for checkpoint in checkpoints {
            let payload = checkpoint.payload
            #expect(payload.auditHead == Digest.sha256(lines[payload.auditEntries - 1].bytes + Data("\n".utf8)))
            #expect(payload.projectID == "onco")
            #expect(CheckpointRecord.check(checkpoint.data, keys: try #require(workspace.notary?.keys)) == .valid)
        }
        #expect(checkpoints[0].payload.prev == AuditEntry.genesis && checkpoints[1].payload.prev == checkpoints[0].sha256)
        #expect(try run("/usr/bin/sha256sum", [store.layout.checkpoint(1)]).output.hasPrefix(checkpoints[1].payload.prev))
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean && report.checkpointsChecked == 2, "\(report.findings)")
    }

    @Test("The entries this process appended since the last checkpoint are sealed by checkpointPending (the server's minute timer)")
    func pendingEntries() throws {
        let (directory, workspace, store) = try Self.project(entries: 12)
        defer { directory.cleanup() }
        let notary = try #require(workspace.notary)
        #expect(notary.pending()[store.id]?.entries == 12)
        let written = try workspace.checkpointPending()
        #expect(written[store.id]?.payload.auditEntries == 12)
        #expect(notary.pending().isEmpty)
        #expect(try workspace.checkpointPending().isEmpty, "nothing new, nothing written")
        #expect(try store.checkpoint() == nil, "the trail has not grown")
    }

    @Test("A trail cut after its last checkpoint is damage naming the checkpoint")
    func cutTail() throws {
        let (directory, workspace, store) = try Self.project(entries: 12)
        defer { directory.cleanup() }
        let lines = try AuditTrailTests.lines(store)
        // Cut after the checkpoint at 10: the chain cannot see it, and no checkpoint covers 11-12 yet.
        try AuditTrailTests.write(Array(lines.prefix(10)), to: store)
        // No checkpoint covers 11-12 yet (the lock files on disk may still give the cut away).
        #expect(try !Verifier(workspace: workspace).verify().damage.contains { $0.message.contains("checkpoint") }, "entries after the last checkpoint are not a checkpoint's to see")
        try AuditTrailTests.write(lines, to: store)
        try store.checkpoint()
        try AuditTrailTests.write(Array(lines.prefix(10)), to: store)
        let report = try Verifier(workspace: workspace).verify()
        let damage = try #require(report.damage.first { $0.path == store.layout.audit }, "\(report.findings)")
        #expect(damage.message.contains("cut: the trail has 10 entries, but checkpoint 000003.json") && damage.message.contains("saw 12 entries"), "\(damage)")
        #expect(damage.message.contains("entries 11-12 were removed"))
    }

    @Test("A trail rewritten before a checkpoint, or an edited checkpoint, is damage")
    func rewritten() throws {
        let (directory, workspace, store) = try Self.project(entries: 7)
        defer { directory.cleanup() }
        // Line 3 rewritten and the chain after it recomputed, as a forger with write access would.
        var lines = try AuditTrailTests.lines(store)
        lines[2] = lines[2].replacingOccurrences(of: "\"alice-tab-1\"", with: "\"forged-tab\"")
        for index in 3..<lines.count {
            var entry = try JSONDecoder().decode(AuditEntry.self, from: Data(lines[index].utf8))
            entry.prev = Digest.sha256(Data((lines[index - 1] + "\n").utf8))
            lines[index] = String(decoding: try CanonicalJSON.encodeLine(entry), as: UTF8.self)
        }
        let original = try AuditTrailTests.lines(store)
        try AuditTrailTests.write(lines, to: store)
        var report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.audit && $0.message.contains("line 5 does not hash to the audit_head of checkpoint 000001.json") }, "\(report.findings)")
        try AuditTrailTests.write(original, to: store)

        let path = store.layout.checkpoint(1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"audit_entries\" : 5", with: "\"audit_entries\" : 4").write(toFile: path, atomically: false, encoding: .utf8)
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == path && $0.message.contains("the server's signature does not verify") }, "\(report.findings)")
        // A checkpoint removed from the middle breaks their numbering; removing the newest ones is the
        // limit docs/part11.md names (keep a copy of the latest checkpoint elsewhere).
        try store.checkpoint()
        try FileManager.default.removeItem(atPath: path)
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.checkpoint(2) && $0.message.contains("checkpoint 1 is missing before it") }, "\(report.findings)")
    }
}
