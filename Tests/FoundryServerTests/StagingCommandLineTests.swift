import Foundation
import FoundryStore
import Testing

/// `foundry freeze` and `foundry export`, run as a second process on the files.
@Suite("foundry freeze and foundry export")
struct StagingCommandLineTests {
    @Test("freeze writes a bundle that verify and sha256sum accept; the project then refuses an import; a second freeze is refused")
    func freeze() throws {
        let root = NSTemporaryDirectory() + "foundry-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root]).status == 0)

        let stranger = try run(foundryExecutable, ["freeze", "onco", "--user", "bob", "--root", root])
        #expect(stranger.status != 0 && stranger.output.contains("'bob' is not a member of project 'onco'"), "\(stranger.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/onco/bundles"))
        let unapproved = try run(foundryExecutable, ["freeze", "onco", "--user", "alice", "--root", root])
        #expect(unapproved.status != 0 && unapproved.output.contains("version 1 needs 1 approved signature(s)"), "\(unapproved.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/onco/bundles"))

        // Rita's approval, as the server records it (through the same store, with her fresh authentication).
        let store = try Workspace(root: root, signing: NotaryOptions()).project(try ProjectID("onco"))
        try store.setMember("rita", role: .reviewer, by: EditorIdentity(user: "alice", session: "setup"))
        try store.sign(SignatureRequest(version: 1, meaning: .approved), by: Signer(
            identity: EditorIdentity(user: "rita", session: "rita-tab"),
            authentication: SignerAuthentication(method: "step_up", authTime: Timestamp.string(from: Date()), amr: ["pwd"], maxAge: 300)
        ))
        let frozen = try run(foundryExecutable, ["freeze", "onco", "--user", "alice", "--printed-name", "Alice Owner", "--root", root])
        #expect(frozen.status == 0, "\(frozen.output)")
        #expect(frozen.output.contains("project onco frozen at version 1 (0.1.1) into \(root)/onco/bundles/onco-0.1.1"), "\(frozen.output)")
        let bundle = root + "/onco/bundles/onco-0.1.1"
        let manifestHash = try #require(try Digest.sha256(fileAt: bundle + "/MANIFEST.json"))
        #expect(frozen.output.contains("MANIFEST.json sha256 \(manifestHash)"))
        #expect(try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: bundle).status == 0)

        let verified = try run(foundryExecutable, ["verify", "--root", root])
        #expect(verified.status == 0 && verified.output.contains("1 bundle(s), 0 annotation record(s), 0 run(s), 2 signature(s)"), "\(verified.output)")
        #expect(verified.output.hasSuffix(": OK\n"), "\(verified.output)")
        // The operator's release says that nobody authenticated to the server for it.
        let released = try #require(try store.signatureRecords(on: 1).last?.record.payload)
        #expect(released.meaning == .released && released.signerID == "alice" && released.printedName == "Alice Owner")
        #expect(released.authentication.method == "operator" && released.authentication.authTime == nil && released.session.hasPrefix("cli-freeze-"))
        #expect(try run(foundryExecutable, ["verify", "--bundle", bundle, "--key", root + "/.foundry/foundry-keys.json"]).status == 0)
        let audit = try run(foundryExecutable, ["audit", "onco", "--root", root, "--type", "project.frozen", "--json"])
        let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(audit.output.utf8))
        #expect(entry.user == "alice" && entry.session.hasPrefix("cli-freeze-") && entry.data["manifest_sha256"]?.string == manifestHash)

        let twice = try run(foundryExecutable, ["freeze", "onco", "--user", "alice", "--name", "again", "--root", root])
        #expect(twice.status != 0 && twice.output.contains("already frozen into bundle 'onco-0.1.1'"), "\(twice.output)")
        let imported = try run(foundryExecutable, ["import", fixtures + "/inputs", "--project", "onco", "--user", "alice", "--root", root])
        #expect(imported.status != 0 && imported.output.contains("frozen and read-only"), "\(imported.output)")
        #expect(!FileManager.default.fileExists(atPath: root + "/onco/bundles/again"))
        #expect(!FileManager.default.fileExists(atPath: root + "/onco/drafts/000002.json"))
    }

    @Test("export prints the run payload, or writes the same tarball bytes every time")
    func export() throws {
        let root = NSTemporaryDirectory() + "foundry-cli-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-out")
        }
        #expect(try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root]).status == 0)
        let printed = try run(foundryExecutable, ["export", "onco", "--root", root])
        #expect(printed.status == 0)
        let payload = try JSONDecoder().decode(ExportPayload.self, from: Data(printed.output.utf8))
        let store = try Workspace(root: root).project(try ProjectID("onco"))
        #expect(payload == (try store.exportPayload(1)))
        #expect(try run(foundryExecutable, ["export", "onco", "--version", "1", "--json", "--root", root]).output == printed.output)

        try FileManager.default.createDirectory(atPath: root + "-out", withIntermediateDirectories: true)
        let first = try run(foundryExecutable, ["export", "onco", "--archive", root + "-out/a.tar.gz", "--root", root])
        let second = try run(foundryExecutable, ["export", "onco", "--version", "1", "--archive", root + "-out/b.tar.gz", "--root", root])
        #expect(first.status == 0 && second.status == 0, "\(first.output) \(second.output)")
        let a = try #require(FileManager.default.contents(atPath: root + "-out/a.tar.gz"))
        #expect(a == FileManager.default.contents(atPath: root + "-out/b.tar.gz"))
        #expect(a == (try store.versionArchive(1).data))
        #expect(try run("/usr/bin/tar", ["-tzf", root + "-out/a.tar.gz"]).output.contains("onco-0.1.1/files/topology.yaml"))

        let both = try run(foundryExecutable, ["export", "onco", "--json", "--archive", "x.tar.gz", "--root", root])
        #expect(both.status != 0 && both.output.contains("either --archive"), "\(both.output)")
        let missing = try run(foundryExecutable, ["export", "onco", "--version", "7", "--root", root])
        #expect(missing.status != 0 && missing.output.contains("version 7 of project 'onco' not found"), "\(missing.output)")
    }
}
