import Foundation
import Testing
@testable import FoundryStore

@Suite("Crash recovery and verification")
struct RecoveryAndVerifyTests {
    @Test("A draft written before a crash but not in the manifest is the head after restart")
    func manifestBehindRecords() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let staleManifest = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        try lockAndSave(store, "system_prompt", "saved just before the crash\n", as: alice)
        try staleManifest.write(to: URL(fileURLWithPath: store.layout.manifest))

        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean)
        #expect(report.findings.contains { $0.severity == .note && $0.path.hasSuffix("project.json") })

        let restarted = try Workspace(root: directory.path)
        let repairs = try restarted.recover()
        #expect(repairs == ["onco: manifest head moved from 1 to 2"])
        let manifest = try restarted.project(ProjectID("onco")).manifest()
        #expect(manifest.headVersion == 2)
        #expect(try Verifier(workspace: restarted).verify().findings.isEmpty)
    }

    @Test("Old temp files from interrupted writes are removed at start; fresh ones are left to their writer")
    func tempFiles() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let old = store.layout.drafts + "/.tmp-crashed"
        let fresh = store.layout.drafts + "/.tmp-in-flight"
        _ = FileManager.default.createFile(atPath: old, contents: Data("{".utf8))
        _ = FileManager.default.createFile(atPath: fresh, contents: Data("{".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: old)
        _ = try workspace.recover()
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    @Test("A blob's temp file left by a crash is a note for verify and is removed at start once old")
    func blobTempFiles() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let hash = try #require(try store.head()?.record.fields["system_prompt"]?.sha256)
        let old = (store.layout.blob(hash) as NSString).deletingLastPathComponent + "/.tmp-crashed"
        _ = FileManager.default.createFile(atPath: old, contents: Data("half a blo".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: old)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean)
        #expect(report.findings.contains { $0.severity == .note && $0.path == old })
        let repairs = try workspace.recover()
        #expect(repairs == ["removed temp file \(old)"])
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(try Verifier(workspace: workspace).verify().findings.isEmpty)
    }

    @Test("A clean workspace verifies with no findings")
    func clean() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "v2\n", as: alice)
        _ = try store.revert(to: 1, by: bob)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.findings.isEmpty)
        #expect(report.versionsChecked == 3)
        #expect(report.blobsChecked == 3)
    }

    @Test("A corrupted blob is damage, named by its path")
    func corruptBlob() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let hash = try #require(try store.head()?.record.fields["system_prompt"]?.sha256)
        let path = store.layout.blob(hash)
        chmod(path, 0o644)
        try Data("line 1\nline X\n".utf8).write(to: URL(fileURLWithPath: path))
        let report = try Verifier(workspace: workspace).verify()
        #expect(!report.isClean)
        #expect(report.damage.contains { $0.path == path && $0.message.contains("not to its name") })
    }

    @Test("An edited draft record breaks the chain at the next record")
    func editedRecord() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "v2\n", as: alice)
        try lockAndSave(store, "system_prompt", "v3\n", as: alice)
        let path = store.layout.draft(2)
        let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"alice\"", with: "\"mallory\"")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.draft(3) && $0.message.contains("parent_id") })
    }

    @Test("A missing version in the middle of the history is damage")
    func missingVersion() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "v2\n", as: alice)
        try lockAndSave(store, "system_prompt", "v3\n", as: alice)
        try FileManager.default.removeItem(atPath: store.layout.draft(2))
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.contains { $0.path == store.layout.draft(3) && $0.message.contains("missing") })
    }
}

@Suite("The hash chain never depends on a cache")
struct ChainIntegrityTests {
    @Test("A project directory replaced behind the store's back is chained to the records on disk")
    func replacedProject() throws {
        let (directory, workspace, store) = try makeProject(["system_prompt": "first life\n"])
        defer { directory.cleanup() }
        _ = try store.draft(1)
        try FileManager.default.removeItem(atPath: store.layout.directory)
        _ = try Workspace(root: directory.path).createProject(
            NewProject(name: "again", id: try ProjectID("onco"), fields: [field("system_prompt"): "second life\n"]), by: bob
        )
        try lockAndSave(store, "system_prompt", "edit\n", as: alice)
        #expect(try store.draft(1).record.authorID == "bob")
        #expect(try Verifier(workspace: workspace).verify().isClean)
    }
}
