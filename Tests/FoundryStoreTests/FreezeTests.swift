import Foundation
import Testing
@testable import FoundryStore

/// Freeze: the bundle on disk, checked with GNU tools, and the read-only project.
@Suite("Freeze into a bundle")
struct FreezeTests {
    static let fields = [
        "system_prompt": "You are careful.\n",
        "model_config.json": "{\"temperature\": 0.2}\n",
        "topology.yaml": "entry: router\nnodes: [router]\n",
        "tests/bec.jsonl": "{\"q\": 1}\n{\"q\": 2}\n",
        "MANIFEST.json": "{\"note\": \"a field that happens to be called MANIFEST.json\"}\n",
    ]

    /// `onco` at version 2 (alice created it, bob edited the prompt), with a
    /// release policy that asks for no approval (approvals: `SignatureTests`).
    static func project() throws -> (TemporaryDirectory, Workspace, ProjectStore) {
        let (directory, workspace, store) = try makeProject(fields)
        try store.setReleasePolicy(ReleasePolicy(approvalsRequired: 0, fourEyes: false), by: alice)
        try store.setMember("bob", role: .editor, by: alice)
        try lockAndSave(store, "system_prompt", "You are careful and brief.\n", as: bob)
        return (directory, workspace, store)
    }

    /// Every file below `path` with its mode and SHA-256.
    static func tree(_ path: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + relative)
            let mode = String((attributes[.posixPermissions] as? Int) ?? -1, radix: 8)
            let isDirectory = attributes[.type] as? FileAttributeType == .typeDirectory
            files[relative] = mode + " " + (isDirectory ? "dir" : try Digest.sha256(fileAt: path + "/" + relative) ?? "?")
        }
        return files
    }

    @Test("The bundle holds every field byte for byte, MANIFEST.json and SHA256SUMS that sha256sum -c accepts")
    func bundle() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        let result = try store.freeze(FreezeRequest(), by: alice.signer)
        #expect(result.bundle.rawValue == "onco-0.1.2")
        #expect(result.path == store.layout.directory + "/bundles/onco-0.1.2")
        #expect(!result.reused)
        for (name, text) in try store.contents(of: 2) {
            #expect(FileManager.default.contents(atPath: result.path + "/files/" + name) == Data(text.utf8), "\(name)")
        }
        let manifest = result.manifest
        let draftID = try store.draft(2).id
        #expect(manifest.version == 2 && manifest.label == "0.1.2" && manifest.draftID == draftID)
        #expect(manifest.authors == ["alice", "bob"])
        #expect(manifest.frozenBy == "alice" && manifest.frozenSession == alice.session && manifest.frozenAt != nil)
        #expect(manifest.projectName == "Oncology Agent")
        #expect(manifest.fields["system_prompt"]?.changedIn == 2 && manifest.fields["system_prompt"]?.changedBy == "bob")
        #expect(manifest.fields["topology.yaml"]?.changedIn == 1 && manifest.fields["topology.yaml"]?.changedBy == "alice")
        #expect(manifest.fields["MANIFEST.json"]?.path == "files/MANIFEST.json")
        let stored = try JSONDecoder().decode(ReleaseManifest.self, from: try #require(FileManager.default.contents(atPath: result.path + "/MANIFEST.json")))
        #expect(stored == manifest)
        #expect(try Digest.sha256(fileAt: result.path + "/MANIFEST.json") == result.manifestSHA256)

        let check = try run("/usr/bin/sha256sum", ["-c", "--strict", "SHA256SUMS"], in: result.path)
        #expect(check.status == 0, "\(check.output)")
        // The fields, MANIFEST.json, the `released` signature and the server's public keys.
        #expect(check.output.split(separator: "\n").count == Self.fields.count + 3, "\(check.output)")
        #expect(check.output.contains("files/tests/bec.jsonl: OK") && check.output.contains("MANIFEST.json: OK"))

        let project = try store.manifest()
        #expect(project.state == .frozen)
        #expect(project.freeze == FreezeInfo(bundle: "onco-0.1.2", version: 2, draftID: manifest.draftID, frozenBy: "alice", frozenAt: manifest.frozenAt!))
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .projectFrozen && last.user == "alice" && last.version == 2)
        #expect(last.data["manifest_sha256"]?.string == result.manifestSHA256)
        #expect(last.data["bundle"]?.string == "onco-0.1.2" && last.data["draft_id"]?.string == manifest.draftID)
        // The audit head the manifest names is the entry just before the freeze.
        let lines = try store.audit.entries()
        #expect(manifest.auditSeq == lines.count - 1)
        #expect(manifest.auditSHA256 == Digest.sha256(lines[lines.count - 2].bytes + Data("\n".utf8)))
        #expect(try FileIO.list(store.layout.bundles) == ["onco-0.1.2"], "no temp directory is left")

        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean, "\(report.findings)")
        #expect(report.bundlesChecked == 1)
        #expect(try store.bundleNames().map(\.rawValue) == ["onco-0.1.2"])
        #expect(try store.bundle(result.bundle).manifest == manifest)
    }

    @Test("rsync -a copies the bundle to an identical tree; a flipped byte fails sha256sum -c")
    func publisherCopy() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        let result = try store.freeze(FreezeRequest(bundleName: try BundleName("release-1")), by: alice.signer)
        let copy = directory.path + "/published/release-1"
        try FileManager.default.createDirectory(atPath: directory.path + "/published", withIntermediateDirectories: true)
        let rsync = try run("/usr/bin/rsync", ["-a", result.path + "/", copy + "/"])
        #expect(rsync.status == 0, "\(rsync.output)")
        let diff = try run("/usr/bin/diff", ["-r", result.path, copy])
        #expect(diff.status == 0, "\(diff.output)")
        #expect(try Self.tree(copy) == Self.tree(result.path), "same files, bytes and modes")
        #expect(try Self.tree(result.path)["files/system_prompt"]?.hasPrefix("444 ") == true)
        #expect(try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: copy).status == 0)

        let victim = copy + "/files/topology.yaml"
        chmod(victim, 0o644)
        var bytes = try #require(FileManager.default.contents(atPath: victim))
        bytes[0] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: victim))
        let failed = try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: copy)
        #expect(failed.status != 0)
        #expect(failed.output.contains("files/topology.yaml: FAILED"), "\(failed.output)")
        #expect(try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: result.path).status == 0, "the original is untouched")
    }

    @Test("After a freeze every write is refused with projectFrozen and no file changes")
    func readOnly() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        try store.freeze(FreezeRequest(), by: alice.signer)
        let before = try snapshot(directory.path)
        let writes: [(String, () throws -> Void)] = [
            ("save", { _ = try store.save(SaveRequest(baseVersion: 2, fields: [field("system_prompt"): "x"]), by: alice) }),
            ("revert", { try store.revert(to: 1, by: alice) }),
            ("undo", { try store.undo(field("system_prompt"), by: alice) }),
            ("redo", { try store.redo(field("system_prompt"), by: alice) }),
            ("lock", { try store.locks.acquire(field("system_prompt"), for: bob, ttl: 60) }),
            ("import", { _ = try store.importVersion([field("system_prompt"): "imported\n"], by: alice) }),
        ]
        for (name, write) in writes {
            #expect(throws: StoreError.projectFrozen("onco"), "\(name)") { try write() }
        }
        #expect(throws: StoreError.alreadyFrozen(project: "onco", bundle: "onco-0.1.2")) { try store.freeze(FreezeRequest(), by: alice.signer) }
        #expect(throws: StoreError.alreadyFrozen(project: "onco", bundle: "onco-0.1.2")) {
            try store.freeze(FreezeRequest(bundleName: try BundleName("other")), by: alice.signer)
        }
        #expect(try snapshot(directory.path) == before)
        // Members may still change: they decide who may read, not what the release holds.
        try store.setMember("carol", role: .viewer, by: alice)
        #expect(try store.manifest().members["carol"] == .viewer)
    }

    @Test("Invalid JSON refuses the freeze naming field and line; no bundles/ entry is made")
    func invalidContent() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        try lockAndSave(store, "model_config.json", "{\n  \"temperature\": 0.2,\n  oops\n}\n", as: bob)
        let before = try snapshot(directory.path)
        do {
            try store.freeze(FreezeRequest(), by: alice.signer)
            Issue.record("the freeze was not refused")
        } catch StoreError.invalidContent(let field, let version, let problem) {
            #expect(field == "model_config.json" && version == 3)
            #expect(problem.line == 3 && problem.column == 3, "\(problem)")
            #expect(StoreError.invalidContent(field: field, version: version, problem: problem).description.contains("'model_config.json' of version 3 is not valid: line 3"))
        }
        #expect(try snapshot(directory.path) == before)
        #expect(!FileManager.default.fileExists(atPath: store.layout.bundles))
        #expect(try store.manifest().state == .open)
    }

    @Test("A held lock refuses the freeze naming field and holder; an expired one does not")
    func locksHeld() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        try store.locks.acquire(field("topology.yaml"), for: bob, ttl: 60)
        let before = try snapshot(directory.path)
        do {
            try store.freeze(FreezeRequest(), by: alice.signer)
            Issue.record("the freeze was not refused")
        } catch StoreError.locksHeld(let locks) {
            #expect(locks.map(\.field) == ["topology.yaml"] && locks.map(\.user) == ["bob"])
            #expect(StoreError.locksHeld(locks).description.contains("'topology.yaml' by bob"))
        }
        #expect(try snapshot(directory.path) == before)
        #expect(!FileManager.default.fileExists(atPath: store.layout.bundles))

        let later = Date().addingTimeInterval(120)
        let result = try store.freeze(FreezeRequest(), by: alice.signer, now: later)
        #expect(try store.locks.all().isEmpty, "the expired lock was retired")
        #expect(try store.audit.entries().contains { $0.entry?.type == .lockReleased && $0.entry?.data["reason"] == "expired" })
        #expect(result.manifest.version == 2)
    }

    @Test("A freeze naming a version that is no longer the head is refused")
    func expectedVersion() throws {
        let (directory, _, store) = try Self.project()
        defer { directory.cleanup() }
        #expect(throws: StoreError.self) { try store.freeze(FreezeRequest(expectedVersion: 1), by: alice.signer) }
        #expect(try store.manifest().state == .open)
        #expect(throws: StoreError.invalidBundleName("../x")) { try BundleName("../x") }
        #expect(throws: StoreError.invalidBundleName(".tmp-x")) { try BundleName(".tmp-x") }
        #expect(try store.freeze(FreezeRequest(expectedVersion: 2), by: alice.signer).manifest.version == 2)
    }

    @Test("A retry after a crash between bundle and manifest adopts the complete bundle; a foreign or damaged one is refused")
    func interruptedFreeze() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        // What a freeze that crashed before its manifest write leaves: a complete bundle, an open project.
        let facts = ProjectStore.FreezeFacts(projectName: "Oncology Agent", identity: bob, at: "2026-11-25T10:00:00.000Z")
        try BundleDirectory.write(try store.releaseTree(of: 2, frozen: facts), to: store.layout.bundle(try BundleName("onco-0.1.2")))
        // A bundle of version 1 under another name, and a damaged copy of it.
        try BundleDirectory.write(try store.releaseTree(of: 1, frozen: facts), to: store.layout.bundle(try BundleName("old")))
        try FileManager.default.copyItem(atPath: store.layout.bundles + "/onco-0.1.2", toPath: store.layout.bundles + "/damaged")
        chmod(store.layout.bundles + "/damaged/files/system_prompt", 0o644)
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: store.layout.bundles + "/damaged/files/system_prompt"))

        let before = try snapshot(directory.path)
        for name in ["old", "damaged"] {
            #expect(throws: StoreError.self, "\(name)") { try store.freeze(FreezeRequest(bundleName: try BundleName(name)), by: alice.signer) }
            do { try store.freeze(FreezeRequest(bundleName: try BundleName(name)), by: alice.signer) } catch {
                #expect("\(error)".contains("bundle '\(name)' already exists"), "\(error)")
            }
        }
        #expect(try snapshot(directory.path) == before)
        #expect(try store.manifest().state == .open)

        let bundleBefore = try Self.tree(store.layout.bundles + "/onco-0.1.2")
        let result = try store.freeze(FreezeRequest(), by: alice.signer)
        #expect(result.reused)
        #expect(result.manifest.frozenBy == "bob" && result.manifest.frozenAt == "2026-11-25T10:00:00.000Z", "the bundle keeps what it recorded")
        #expect(try Self.tree(store.layout.bundles + "/onco-0.1.2") == bundleBefore, "a bundle never changes")
        #expect(try store.manifest().freeze?.frozenAt == "2026-11-25T10:00:00.000Z")
        let last = try #require(try store.audit.entries().last?.entry)
        #expect(last.type == .projectFrozen && last.user == "alice" && last.data["reused_bundle"] == .bool(true))
        // verify flags the damaged extra bundle, nothing else.
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.count == 1 && report.damage.first?.path.hasSuffix("bundles/damaged/files/system_prompt") == true, "\(report.findings)")
    }

    @Test("verify names a tampered bundle and an audit trail cut behind the freeze; recovery re-adds a lost freeze entry")
    func verifyAndRecover() throws {
        let (directory, workspace, store) = try Self.project()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        try store.locks.release(field("system_prompt"), by: alice)
        let result = try store.freeze(FreezeRequest(), by: alice.signer)
        let lines = try AuditTrailTests.lines(store)

        // The freeze entry lost (a crash after the manifest write): a note, and the next start adds it.
        try AuditTrailTests.write(Array(lines.dropLast()), to: store)
        var report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean && report.findings.contains { $0.state == .unauditedFreeze }, "\(report.findings)")
        let repairs = try workspace.recover()
        #expect(repairs.contains("onco: audit entry added for its freeze"), "\(repairs)")
        let added = try #require(try store.audit.entries().last?.entry)
        #expect(added.type == .projectFrozen && added.user == "alice" && added.data["recorded_at_recovery"] == .bool(true))
        #expect(added.data["manifest_sha256"]?.string == result.manifestSHA256)
        #expect(try Verifier(workspace: workspace).verify().isClean)

        // Cut back behind the line the bundle recorded: the chain alone cannot see it, the bundle does.
        try AuditTrailTests.write(Array(lines.dropLast(2)), to: store)
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.audit && $0.message.contains("bundle onco-0.1.2") }, "\(report.findings)")
        try AuditTrailTests.write(lines, to: store)

        let victim = result.path + "/files/tests/bec.jsonl"
        chmod(victim, 0o644)
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: victim))
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == victim && $0.message.contains("SHA256SUMS") }, "\(report.findings)")
        #expect(throws: StoreError.self) { try store.bundleArchive(result.bundle) }

        // A half-written bundle directory is removed once it is old.
        let temp = store.layout.bundles + "/.tmp-onco-0.1.3-abc"
        try FileManager.default.createDirectory(atPath: temp + "/files", withIntermediateDirectories: true)
        #expect(try Verifier(workspace: workspace).verify().findings.contains { $0.path == temp && $0.severity == .note })
        let cleaned = try workspace.recover(now: Date().addingTimeInterval(3600))
        #expect(cleaned.contains("removed half-written bundle \(temp)"), "\(cleaned)")
        #expect(!FileManager.default.fileExists(atPath: temp))
    }
}
