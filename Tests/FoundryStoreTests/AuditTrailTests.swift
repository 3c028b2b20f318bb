import Foundation
import Testing
@testable import FoundryStore

@Suite("The hash-chained audit trail")
struct AuditTrailTests {
    /// The lines of `audit.jsonl` as text, without their newlines.
    static func lines(_ store: ProjectStore) throws -> [String] {
        try String(contentsOfFile: store.layout.audit, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func write(_ lines: [String], to store: ProjectStore) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: store.layout.audit, atomically: false, encoding: .utf8)
    }

    static func verify(_ workspace: Workspace) throws -> VerificationReport {
        try Verifier(workspace: workspace).verify()
    }

    @Test("Every change, lock decision and member change is an entry, chained by the SHA-256 that sha256sum computes")
    func everyActionIsChained() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try store.setMember("bob", role: .editor, by: alice)
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        #expect(throws: StoreError.self) { try store.locks.acquire(field("system_prompt"), for: bob, ttl: 60) }
        try store.save(SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "line 1\nedited\n"]), by: alice)
        try store.revert(to: 1, by: bob)
        try store.undo(field("system_prompt"), by: alice)
        try store.locks.acquire(field("model_config.json"), for: bob, ttl: 1, now: Date().addingTimeInterval(-5))
        _ = try store.locks.reapExpired()
        try store.locks.acquire(field("model_config.json"), for: bob, ttl: 60)
        try store.locks.release(field("model_config.json"), by: alice, force: true)
        try store.removeMember("bob", by: alice)

        let entries = try store.audit.entries().map { try #require($0.entry) }
        #expect(entries.map(\.type.rawValue) == [
            "project.created", "member.set", "draft.create", "member.set", "lock.acquired", "lock.denied", "draft.save",
            "lock.released", "draft.revert", "draft.undo", "lock.acquired", "lock.released", "lock.acquired", "lock.released", "member.removed",
        ])
        #expect(entries.map(\.seq) == Array(1...entries.count))
        #expect(entries[5].user == "bob" && entries[5].data["holder"] == "alice")
        #expect(entries[6].version == 2 && entries[6].session == alice.session && entries[6].data["changed"] == .array(["system_prompt"]))
        #expect(entries[6].data["draft_id"]?.string == (try store.draft(2).id))
        #expect(entries[7].data["reason"] == "save")
        #expect(entries[11].user == "@foundry" && entries[11].data["reason"] == "expired" && entries[11].data["holder"] == "bob")
        #expect(entries[13].user == "alice" && entries[13].data["reason"] == "forced")

        // The auditor's recipe: `sed -n Np audit.jsonl | sha256sum` is line N+1's prev.
        #expect(entries[0].prev == AuditEntry.genesis)
        for index in 1..<entries.count {
            let hashed = try run("/bin/sh", ["-c", "sed -n \(index)p audit.jsonl | sha256sum"], in: store.layout.directory)
            #expect(hashed.output.prefix(64) == entries[index].prev)
        }
        #expect(try Self.verify(workspace).isClean)
    }

    @Test("An edited, reordered or shortened trail fails verification naming the first bad line", arguments: ["edit", "swap", "drop-first", "truncate"])
    func tampering(_ how: String) throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "two\n", as: alice)
        try lockAndSave(store, "system_prompt", "three\n", as: alice)
        var lines = try Self.lines(store)
        let expected: String
        switch how {
        case "edit":
            lines[4] = lines[4].replacingOccurrences(of: "\"user\":\"alice\"", with: "\"user\":\"mallory\"")
            expected = "line 6: prev"
        case "swap":
            lines.swapAt(3, 4)
            expected = "line 4 has seq 5"
        case "drop-first":
            lines.removeFirst()
            expected = "line 1 has seq 2"
        default:
            lines.removeLast(3)  // lock.released, draft.save (v3), lock.acquired
            expected = "has no audit entry"
        }
        try Self.write(lines, to: store)
        let report = try Self.verify(workspace)
        #expect(!report.isClean)
        #expect(report.damage.contains { $0.message.contains(expected) }, "\(report.damage)")
    }

    @Test("A torn last line is noted, then cut off by the next append, which says so in the chain")
    func tornTail() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let handle = try #require(FileHandle(forWritingAtPath: store.layout.audit))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":99,\"half".utf8))
        try handle.close()
        let before = try Self.verify(workspace)
        #expect(before.isClean && before.findings.contains { $0.state == .tornAuditLine && $0.message.contains("without its newline") })

        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        let entries = try store.audit.entries().map { try #require($0.entry) }
        #expect(entries.suffix(2).map(\.type) == [.auditRepaired, .lockAcquired])
        #expect(entries.suffix(2).first?.data["dropped_sha256"]?.string == Digest.sha256(Data("{\"seq\":99,\"half".utf8)))
        #expect(try Self.verify(workspace).findings.isEmpty)
    }

    @Test("A version whose audit append was lost in a crash gets its entry at the next start")
    func recoveryBackfills() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        try store.save(SaveRequest(baseVersion: 1, fields: [field("system_prompt"): "two\n"], keepLocks: true), by: alice)
        var lines = try Self.lines(store)
        lines.removeLast(1)  // as if the process died after writing drafts/000002.json
        try Self.write(lines, to: store)
        let report = try Self.verify(workspace)
        #expect(report.isClean && report.findings.map(\.state) == [.unauditedVersion], "\(report.findings)")

        let repairs = try workspace.recover()
        #expect(repairs == ["onco: audit entry added for version 2"])
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .draft(.save) && last.version == 2 && last.user == "alice" && last.data["recorded_at_recovery"] == true)
        #expect(try Self.verify(workspace).isClean)
    }
}
