import Foundation
import Testing
@testable import FoundryStore

/// Each state a crash can leave, made by doing a change and undoing its
/// later steps on disk: `verify` must call it a note of its `CrashState`
/// (exit 0), and the next start must finish it as the note says. States no
/// crash can produce must stay damage, also after a start.
@Suite("Crash states: verify names them, the next start finishes them")
struct CrashStateTests {
    @Test("The newest version without its audit line is an interrupted save; the start records it late")
    func unauditedVersion() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.revert(to: 1, by: bob)
        try dropLastAuditLines(store, 1)  // the process died after writing drafts/000002.json
        try expectOnly(.unauditedVersion, at: store.layout.draft(2), in: workspace)

        let repairs = try workspace.recover()
        #expect(repairs == ["onco: audit entry added for version 2"])
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .draft(.revert) && last.version == 2 && last.user == "bob" && last.data["recorded_at_recovery"] == true)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("A version without its audit line below an audited one is damage, and a start does not paper over it")
    func middleVersionWithoutEntry() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.revert(to: 1, by: bob)
        try dropLastAuditLines(store, 1)
        _ = try store.revert(to: 1, by: alice)  // written by a process that skipped the recovery
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.draft(2) && $0.message.contains("while the later version 3 has one") })

        let repairs = try workspace.recover()
        #expect(repairs == ["onco: 1 finding(s) of damage left as they are; run `foundry verify`"])
        #expect(try !Verifier(workspace: workspace).verify().isClean)
    }

    @Test("A newest version that a later line names (a comment anchored on it) lost its entry: damage")
    func versionNamedLater() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.revert(to: 1, by: bob)
        try dropLastAuditLines(store, 1)
        _ = try store.createComment(NewComment(version: 2, field: field("system_prompt"), lineStart: 1, lineEnd: 1, text: "on v2"), by: bob)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.draft(2) && $0.message.contains("names its draft id") })
    }

    @Test("A manifest behind the newest record is noted; the start moves its head")
    func manifestBehind() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let old = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        _ = try store.revert(to: 1, by: bob)
        try old.write(to: URL(fileURLWithPath: store.layout.manifest))
        try expectOnly(.manifestBehind, at: store.layout.manifest, in: workspace)
        #expect(try workspace.recover() == ["onco: manifest head moved from 1 to 2"])
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("A lock file without lock.acquired is an interrupted grant; the start records it late")
    func unauditedLockGrant() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let granted = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedLockGrant, at: store.layout.lock(field("system_prompt")), in: workspace)
        #expect(try workspace.recover() == ["onco: audit entry added for the grant of lock #\(granted.token) (system_prompt)"])
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .lockAcquired && last.user == "alice" && last.data["token"] == .int(granted.token) && last.data["recorded_at_recovery"] == true)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("A release tombstone without lock.released is an interrupted release; the start records it and removes the tombstone")
    func unauditedLockRelease() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let lock = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        let tombstone = store.layout.locks + "/" + LockTombstone(field: field("system_prompt"), token: lock.token, reason: .cancel).fileName
        #expect(rename(store.layout.lock(field("system_prompt")), tombstone) == 0)  // the release's first step
        try expectOnly(.unauditedLockRelease, at: tombstone, in: workspace)
        _ = try workspace.recover()
        #expect(!FileManager.default.fileExists(atPath: tombstone))
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .lockReleased && last.user == "alice" && last.data["reason"] == "cancel" && last.data["recorded_at_recovery"] == true)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("A tombstone whose release is recorded is noted and removed; a lock file whose release is recorded is damage")
    func releasedTombstoneAndResurrectedLock() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let lock = try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60).lock
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.layout.lock(field("system_prompt"))))
        try store.locks.release(field("system_prompt"), by: alice)
        let tombstone = store.layout.locks + "/" + LockTombstone(field: field("system_prompt"), token: lock.token, reason: .cancel).fileName
        try bytes.write(to: URL(fileURLWithPath: tombstone))
        try expectOnly(.releasedLockTombstone, at: tombstone, in: workspace)
        _ = try workspace.recover()
        #expect(!FileManager.default.fileExists(atPath: tombstone))

        try bytes.write(to: URL(fileURLWithPath: store.layout.lock(field("system_prompt"))))
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.message.contains("is released at line") })
    }

    @Test("A granted lock that vanished without a release, and a token counter gone back, are damage; a counter ahead is a note")
    func lockDamage() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        try Data("7\n".utf8).write(to: URL(fileURLWithPath: store.layout.tokenCounter))
        try expectOnly(.reservedLockTokens, at: store.layout.tokenCounter, in: workspace)
        try Data("0\n".utf8).write(to: URL(fileURLWithPath: store.layout.tokenCounter))
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.path == store.layout.tokenCounter && $0.message.contains("went back") })
        try Data("1\n".utf8).write(to: URL(fileURLWithPath: store.layout.tokenCounter))
        try FileManager.default.removeItem(atPath: store.layout.lock(field("system_prompt")))
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.message.contains("neither released in the trail nor on disk") })
    }

    @Test("The newest comment without its entry is noted and recorded late; an entry naming a missing record is damage")
    func annotations() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.createComment(NewComment(version: 1, field: field("system_prompt"), lineStart: 1, lineEnd: 1, text: "first"), by: bob)
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedAnnotation, at: store.layout.annotation(.comments, 1), in: workspace)
        #expect(try workspace.recover() == ["onco: audit entry added for comments/000001.json"])
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)

        try FileManager.default.removeItem(atPath: store.layout.annotation(.comments, 1))
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.message.contains("which is missing") })
    }

    @Test("A run without run.started, an ended run without its end entry and a torn console line are noted and finished by the start")
    func runs() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let run = try store.createExternalRun(version: nil, by: alice)
        let id = try RunID(run.runID)
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedRunStart, at: store.layout.run(id).record, in: workspace)
        _ = try workspace.recover()
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)

        _ = try store.appendOutput(id, stream: .stdout, text: "one line", by: alice, cap: 1 << 20)
        let handle = try #require(FileHandle(forWritingAtPath: store.layout.run(id).console))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"ts\":\"half".utf8))
        try handle.close()
        try expectOnly(.tornConsoleLine, at: store.layout.run(id).console, in: workspace)
        #expect(try workspace.recover() == ["onco: cut an incomplete last line of 11 byte(s) off the console of \(run.runID)"])

        try store.finishRun(id, outcome: RunOutcome(exitStatus: 0), by: alice)
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedRunEnd, at: store.layout.run(id).record, in: workspace)
        _ = try workspace.recover()
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .runFinished && last.user == "@foundry" && last.data["recorded_at_recovery"] == true)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("One member changed without its entry is an interrupted change; two are damage")
    func members() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let before = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        try store.setMember("carol", role: .reviewer, by: alice)
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedMemberChange, at: store.layout.manifest, in: workspace)
        _ = try workspace.recover()
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .memberSet && last.data["member"] == "carol" && last.data["role"] == "reviewer" && last.data["recorded_at_recovery"] == true)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)

        var edited = try JSONDecoder().decode(ProjectManifest.self, from: before)
        edited.members["mallory"] = .owner
        edited.members["dave"] = .editor
        try CanonicalJSON.encode(edited).write(to: URL(fileURLWithPath: store.layout.manifest))
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.path == store.layout.manifest && $0.message.contains("behind the server's back") })
    }

    @Test("A torn last audit line and a blob no version names are notes; both survive a start that has nothing to append")
    func tornLineAndOrphanBlob() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let orphan = try store.blobs.put(Data("saved, never recorded\n".utf8))
        let handle = try #require(FileHandle(forWritingAtPath: store.layout.audit))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"seq\":9".utf8))
        try handle.close()
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean)
        #expect(Set(report.findings.compactMap(\.state)) == [.tornAuditLine, .orphanBlob])
        #expect(report.findings.contains { $0.state == .orphanBlob && $0.path == store.layout.blob(orphan) })
        #expect(try workspace.recover().isEmpty)
        #expect(Set(try Verifier(workspace: workspace).verify().findings.compactMap(\.state)) == [.tornAuditLine, .orphanBlob])
    }

    @Test("A freeze stopped after its bundle, or after project.json, is noted; the start records the freeze")
    func freeze() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try store.setReleasePolicy(ReleasePolicy(approvalsRequired: 0, fourEyes: false), by: alice)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        let result = try store.freeze(FreezeRequest(), by: alice.signer)
        try dropLastAuditLines(store, 1)
        try expectOnly(.unauditedFreeze, at: store.layout.audit, in: workspace)
        try manifest.write(to: URL(fileURLWithPath: store.layout.manifest))  // as if stopped before project.json said frozen
        try expectOnly(.bundleWithoutFreeze, at: result.path, in: workspace)
        #expect(try workspace.recover().isEmpty)
        let again = try store.freeze(FreezeRequest(), by: alice.signer)
        #expect(again.reused)
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    /// Cuts the last `count` lines off the project's audit trail.
    private func dropLastAuditLines(_ store: ProjectStore, _ count: Int) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: store.layout.audit))
        var lines = data.split(separator: UInt8(ascii: "\n"))
        lines.removeLast(count)
        try Data(lines.map { Data($0) + Data("\n".utf8) }.joined()).write(to: URL(fileURLWithPath: store.layout.audit))
    }

    /// `verify` is clean and its only interrupted-change note is `state` at `path`.
    private func expectOnly(_ state: CrashState, at path: String, in workspace: Workspace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean, "\(report.damage)", sourceLocation: sourceLocation)
        let notes = report.findings.filter { $0.state != nil }
        #expect(notes.map(\.state) == [state] && notes.map(\.path) == [path], "\(report.findings)", sourceLocation: sourceLocation)
    }
}
