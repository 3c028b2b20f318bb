import Foundation
import Testing
@testable import FoundryStore

/// The release policy: approvals a freeze needs, four eyes, and the signed
/// bundle a freeze writes, checked offline.
@Suite("Release approval and signed bundles")
struct ReleaseApprovalTests {
    static let rita = SignatureTests.rita

    @Test("A freeze without the approvals the policy asks is refused naming them, and writes nothing")
    func approvalsMissing() throws {
        let (directory, _, store) = try SignatureTests.project()
        defer { directory.cleanup() }
        #expect(try store.releasePolicy() == .default)
        let before = try snapshot(directory.path)
        do {
            try store.freeze(FreezeRequest(), by: alice.signer)
            Issue.record("the freeze was not refused")
        } catch StoreError.approvalsMissing(let shortfall) {
            #expect(shortfall == ApprovalShortfall(version: 2, required: 1, approvers: [], excluded: [], authors: ["alice", "bob"], fourEyes: false))
            #expect(StoreError.approvalsMissing(shortfall).description.contains("version 2 needs 1 approved signature(s) by distinct signers before a freeze and has 0"))
        }
        // An approval of another version, or a review, does not count.
        try store.sign(SignatureRequest(version: 1, meaning: .approved), by: Self.rita.signer)
        try store.sign(SignatureRequest(version: 2, meaning: .reviewed), by: Self.rita.signer)
        try store.setReleasePolicy(ReleasePolicy(approvalsRequired: 2, fourEyes: false), by: alice)
        try store.sign(SignatureRequest(version: 2, meaning: .approved), by: Self.rita.signer)
        try store.sign(SignatureRequest(version: 2, meaning: .approved), by: Self.rita.signer)
        let snapshotBefore = try snapshot(directory.path)
        #expect(throws: StoreError.approvalsMissing(ApprovalShortfall(version: 2, required: 2, approvers: ["rita"], excluded: [], authors: ["alice", "bob"], fourEyes: false))) {
            try store.freeze(FreezeRequest(), by: alice.signer)
        }
        #expect(try snapshot(directory.path) == snapshotBefore)
        #expect(before != snapshotBefore)
        try store.sign(SignatureRequest(version: 2, meaning: .approved), by: alice.signer)
        let result = try store.freeze(FreezeRequest(reason: "release for the pilot"), by: alice.signer)
        let released = try #require(result.signature)
        #expect(released.record.payload.meaning == .released && released.record.payload.reason == "release for the pilot")
        let entries = try store.audit.entries().compactMap(\.entry).map(\.type)
        #expect(entries.suffix(2) == [.signatureAdded, .projectFrozen])
        #expect(entries.contains(.releasePolicySet))
    }

    @Test("Four eyes: the sole author's approval does not count; another's does")
    func fourEyes() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try store.setMember("rita", role: .reviewer, by: alice)
        try store.setReleasePolicy(ReleasePolicy(approvalsRequired: 1, fourEyes: true), by: alice)
        try store.sign(SignatureRequest(version: 1, meaning: .approved), by: alice.signer)
        do {
            try store.freeze(FreezeRequest(), by: alice.signer)
            Issue.record("the sole author released her own work")
        } catch StoreError.approvalsMissing(let shortfall) {
            #expect(shortfall.approvers.isEmpty && shortfall.excluded == ["alice"] && shortfall.authors == ["alice"] && shortfall.fourEyes)
            #expect(StoreError.approvalsMissing(shortfall).description.contains("under four eyes the approval of alice does not count"))
        }
        try store.sign(SignatureRequest(version: 1, meaning: .approved), by: Self.rita.signer)
        let result = try store.freeze(FreezeRequest(), by: alice.signer)
        #expect(result.manifest.releasePolicy == ReleasePolicy(approvalsRequired: 1, fourEyes: true))
        #expect(result.manifest.signatures?.map(\.meaning) == [.approved, .approved, .released])
        let report = Verifier.verifyBundle(at: result.path, keys: workspace.notary?.keys)
        #expect(report.isClean, "\(report.findings)")
        #expect(throws: StoreError.projectFrozen("onco")) { try store.setReleasePolicy(.default, by: alice) }
        #expect(throws: StoreError.invalidArgument("approvals_required must be 0 to 20")) {
            try store.setReleasePolicy(ReleasePolicy(approvalsRequired: 21, fourEyes: false), by: alice)
        }
    }

    /// A frozen `onco` with rita's approval, alice's release, and the bundle's path.
    static func frozen() throws -> (TemporaryDirectory, Workspace, ProjectStore, FreezeResult) {
        let (directory, workspace, store) = try SignatureTests.project()
        try store.sign(SignatureRequest(version: 2, meaning: .approved, reason: "protocol v4 checked"), by: Signer(
            identity: Self.rita, printedName: "Rita Reviewer", authentication: Self.rita.signer.authentication))
        let result = try store.freeze(FreezeRequest(), by: Signer(identity: alice, printedName: "Alice Owner", authentication: alice.signer.authentication))
        return (directory, workspace, store, result)
    }

    @Test("The bundle carries every signature (printed name, time, meaning), the public keys and the seal; verify --bundle accepts a copy offline")
    func signedBundle() throws {
        let (directory, workspace, store, result) = try Self.frozen()
        defer { directory.cleanup() }
        let manifest = result.manifest
        let shown = try #require(manifest.signatures)
        #expect(shown.map(\.printedName) == ["Rita Reviewer", "Alice Owner"] && shown.map(\.meaning) == [.approved, .released])
        #expect(shown.map(\.file) == ["signatures/000001.json", "signatures/000002.json"])
        #expect(shown[0].reason == "protocol v4 checked" && shown[0].statement == SignatureMeaning.approved.statement)
        #expect(manifest.signingKeys == "foundry-keys.json" && manifest.releasePolicy == .default)
        for entry in shown {
            #expect(FileManager.default.contents(atPath: result.path + "/" + entry.file) == FileManager.default.contents(atPath: store.layout.directory + "/" + entry.file))
        }
        let keysData = try #require(FileManager.default.contents(atPath: result.path + "/foundry-keys.json"))
        let keys = try #require(SigningKeySet(parsing: keysData))
        #expect(keys == workspace.notary?.keys)
        let sums = try run("/usr/bin/sha256sum", ["-c", "--strict", "SHA256SUMS"], in: result.path)
        #expect(sums.status == 0 && sums.output.contains("signatures/000002.json: OK") && sums.output.contains("foundry-keys.json: OK"), "\(sums.output)")

        let copy = directory.path + "/published"
        #expect(try run("/usr/bin/rsync", ["-a", result.path + "/", copy + "/"]).status == 0)
        try FileManager.default.removeItem(atPath: store.layout.directory)
        try FileManager.default.removeItem(atPath: directory.path + "/.foundry")
        let report = Verifier.verifyBundle(at: copy, keys: keys)
        #expect(report.isClean && report.signaturesChecked == 2 && report.findings.isEmpty, "\(report.findings)")
        let ownKeys = Verifier.verifyBundle(at: copy, keys: nil)
        #expect(ownKeys.isClean && ownKeys.findings.contains { $0.severity == .note && $0.message.contains("bundle's own keys") })
        let stranger = Verifier.verifyBundle(at: copy, keys: SigningKeySet([ServerKey().publicKey]))
        #expect(stranger.damage.contains { $0.path.hasSuffix("SEAL.json") && $0.message.contains("not among the trusted keys") }, "\(stranger.findings)")
    }

    /// Rewrites `relative` in the bundle copy `copy` with `change`, then recomputes SHA256SUMS as a forger would.
    static func forge(_ copy: String, _ relative: String, _ change: (String) -> String) throws {
        let path = copy + "/" + relative
        chmod(path, 0o644)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(change(text) != text)
        try change(text).write(toFile: path, atomically: false, encoding: .utf8)
        chmod(copy + "/SHA256SUMS", 0o644)
        let sums = try run("/bin/sh", ["-c", "find . -type f ! -name SHA256SUMS ! -name SEAL.json | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS"], in: copy)
        #expect(sums.status == 0, "\(sums.output)")
        #expect(try run("/usr/bin/sha256sum", ["-c", "--quiet", "SHA256SUMS"], in: copy).status == 0, "the forged checksums pass sha256sum -c")
    }

    @Test("A bundle whose MANIFEST or a signature was edited (checksums recomputed) fails verify --bundle")
    func editedBundle() throws {
        let (directory, workspace, _, result) = try Self.frozen()
        defer { directory.cleanup() }
        let keys = try #require(workspace.notary?.keys)
        let manifestCopy = directory.path + "/manifest-edited"
        #expect(try run("/usr/bin/rsync", ["-a", result.path + "/", manifestCopy + "/"]).status == 0)
        try Self.forge(manifestCopy, "MANIFEST.json") { $0.replacingOccurrences(of: "Rita Reviewer", with: "Quality Lead") }
        var report = Verifier.verifyBundle(at: manifestCopy, keys: keys)
        #expect(report.damage.contains { $0.path.hasSuffix("/MANIFEST.json") && $0.message.contains("is not the MANIFEST.json the server sealed") }, "\(report.findings)")
        #expect(report.damage.contains { $0.path.hasSuffix("/signatures/000001.json") && $0.message.contains("otherwise than the signed record") }, "\(report.findings)")

        let signatureCopy = directory.path + "/signature-edited"
        #expect(try run("/usr/bin/rsync", ["-a", result.path + "/", signatureCopy + "/"]).status == 0)
        try Self.forge(signatureCopy, "signatures/000001.json") { $0.replacingOccurrences(of: "protocol v4 checked", with: "protocol v5 checked") }
        report = Verifier.verifyBundle(at: signatureCopy, keys: keys)
        #expect(report.damage.contains { $0.path.hasSuffix("/signatures/000001.json") && $0.message.contains("MANIFEST.json") }, "\(report.findings)")
        #expect(!report.isClean)
    }
}
