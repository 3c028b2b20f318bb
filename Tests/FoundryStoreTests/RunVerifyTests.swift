import Foundation
@testable import FoundryStore
import Testing

/// `foundry verify` over runs: the payload against its manifest and the
/// version, the sealed console, the audit entry.
@Suite("Verify of runs")
struct RunVerifyTests {
    /// A finished external run with two output lines, and the workspace verified clean.
    func finishedRun() throws -> (TemporaryDirectory, Workspace, ProjectStore, RunLayout) {
        let (directory, workspace, store) = try makeProject()
        let prepared = try store.prepareRun(version: nil, by: alice, external: true)
        try store.publishRun(prepared)
        for text in ["step 1", "step 2"] { _ = try store.appendOutput(prepared.id, stream: .stdout, text: text, by: alice, cap: 1 << 20) }
        try store.finishRun(prepared.id, outcome: RunOutcome(exitStatus: 0), by: alice)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean, "\(report.findings)")
        #expect(report.runsChecked == 1)
        return (directory, workspace, store, prepared.final)
    }

    @Test("A finished run verifies clean; a line added to its sealed console is damage naming console.log")
    func sealedConsole() throws {
        let (directory, workspace, _, run) = try finishedRun()
        defer { directory.cleanup() }
        let handle = try #require(FileHandle(forWritingAtPath: run.console))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"stream":"stdout","text":"forged","ts":"2026-11-25T00:00:00Z"}"#.utf8 + [10]))
        try handle.close()
        #expect(try Verifier(workspace: workspace).verify().isClean, "bytes after the seal are outside it")

        var console = try Data(contentsOf: URL(fileURLWithPath: run.console))
        console[console.startIndex + 30] ^= 1
        try console.write(to: URL(fileURLWithPath: run.console))
        let damage = try Verifier(workspace: workspace).verify().damage
        #expect(damage.count == 1 && damage.first?.path == run.console, "\(damage)")
    }

    @Test("A changed payload file, a changed payload.json and a missing run.started entry are damage")
    func payloadAndAudit() throws {
        let (directory, workspace, store, run) = try finishedRun()
        defer { directory.cleanup() }
        let file = run.payload + "/system_prompt"
        chmod(file, 0o644)
        try Data("line 1\nline 2 changed\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try Verifier(workspace: workspace).verify().damage.map(\.path) == [file])

        try Data("{}".utf8).write(to: URL(fileURLWithPath: run.payloadManifest))
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.path == run.payloadManifest })

        let audit = try String(contentsOfFile: store.layout.audit, encoding: .utf8)
        let kept = audit.split(separator: "\n").filter { !$0.contains("\"run.started\"") }
        #expect(kept.count < audit.split(separator: "\n").count)
        // Rewriting the trail breaks its chain too; the run check must name the run record.
        try (kept.joined(separator: "\n") + "\n").write(toFile: store.layout.audit, atomically: true, encoding: .utf8)
        #expect(try Verifier(workspace: workspace).verify().damage.contains { $0.path == run.record && $0.message.contains("run.started") })
    }
}
