import Foundation
import FoundryStore
import Testing

/// The order of `fsync`, `link`, `rename` and `write` calls of a real save
/// (`foundry import` of a changed asset), traced with strace: nothing is
/// named before its bytes are durable, and without a journal nothing that
/// refers to a name (a record to its blob, the manifest and the audit line
/// to the record) is written before that name is durable.
@Suite("Write order of a save, traced")
struct WriteOrderTests {
    /// What one traced import of a changed field did, and the paths it concerns.
    private struct TracedSave {
        let trace: SyscallTrace
        let project: String
        let blob: String

        var blobDirectory: String { (blob as NSString).deletingLastPathComponent }
        var drafts: String { project + "/drafts" }
        var record: String { drafts + "/000002.json" }
        var audit: String { project + "/audit.jsonl" }

        func index(_ what: String, _ predicate: (SyscallTrace.Call) -> Bool) throws -> Int {
            let found = trace.first(predicate)
            return try #require(found, "the trace has no \(what)")
        }

        func synced(_ path: String, after start: Int = -1) -> Int? {
            trace.calls.indices.first { $0 > start && trace.calls[$0] == .synced(path) }
        }

        var syncedTemp: (String) -> Int? {
            { directory in trace.calls.firstIndex { if case .synced(let path) = $0 { path.hasPrefix(directory + "/" + FileIO.tempPrefix) } else { false } } }
        }
    }

    /// Imports the fixture as version 1, then under strace a copy with one
    /// file changed as version 2; `verify` must be clean after it.
    private func tracedSave(root: String, environment: [String]) throws -> TracedSave? {
        let created = try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root])
        #expect(created.status == 0, "\(created.output)")
        let assets = NSTemporaryDirectory() + "foundry-assets-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: assets) }
        try FileManager.default.copyItem(atPath: fixtures + "/oncology-agent", toPath: assets)
        let text = "A changed system prompt, traced \(UUID().uuidString).\n"
        try text.write(toFile: assets + "/system_prompt", atomically: true, encoding: .utf8)
        guard let traced = try SyscallTrace.record("/usr/bin/env", environment + [foundryExecutable, "import", assets, "--project", "onco", "--user", "alice", "--root", root]) else {
            Issue.record("strace recorded nothing")
            return nil
        }
        #expect(traced.status == 0, "\(traced.output)")
        let verify = try run(foundryExecutable, ["verify", "--root", root])
        #expect(verify.status == 0, "\(verify.output)")
        let project = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/onco"
        let hash = Digest.sha256(Data(text.utf8))
        return TracedSave(trace: traced.trace, project: project, blob: project + "/objects/sha256/" + hash.prefix(2) + "/" + hash.dropFirst(2))
    }

    @Test("Without a journal: blob bytes → blob name → record → drafts/ → manifest and audit line → audit flush, each durable before the next",
          .enabled(if: SyscallTrace.isAvailable))
    func portableOrder() throws {
        let root = NSTemporaryDirectory() + "foundry-order-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        guard let save = try tracedSave(root: root, environment: ["FOUNDRY_FLUSH_ORDERING=portable"]) else { return }
        let blobBytes = try #require(save.syncedTemp(save.blobDirectory), "the blob's temp file was not flushed")
        let blobName = try save.index("blob link") { $0.names(save.blob) }
        let blobDirectory = try #require(save.synced(save.blobDirectory, after: blobName), "the blob's directory was not flushed after its link")
        let recordBytes = try #require(save.syncedTemp(save.drafts), "the record's temp file was not flushed")
        let recordName = try save.index("record link") { $0.names(save.record) }
        let drafts = try #require(save.synced(save.drafts, after: recordName), "drafts/ was not flushed after the link")
        let manifest = try save.index("manifest rename") { $0.names(save.project + "/project.json") }
        let line = try save.index("audit write") { $0 == .wrote(save.audit) }
        let auditFlush = try #require(save.synced(save.audit, after: line), "the audit file was not flushed after its line")

        #expect(blobBytes < blobName, "the blob was named before its bytes were durable")
        #expect(blobDirectory < recordName, "the record was named before its blob's name was durable")
        #expect(recordBytes < recordName, "the record was named before its bytes were durable")
        #expect(drafts < manifest, "the manifest named the version before its record's name was durable")
        #expect(drafts < line, "the audit line was written before the record's name was durable")
        #expect(line < auditFlush)
    }

    @Test("ext4 with its journal: bytes flushed together, then names and the audit line, then one flush of the audit file; no directory flushed",
          .enabled(if: SyscallTrace.isAvailable && LoopMount.canMakeExt4))
    func ext4JournalOrder() throws {
        try journalledOrder(.ext4Journal)
    }

    @Test("XFS: bytes flushed together, then names and the audit line, then one flush of the audit file; no directory flushed",
          .enabled(if: SyscallTrace.isAvailable && LoopMount.canMakeXFS))
    func xfsOrder() throws {
        try journalledOrder(.xfs)
    }

    private func journalledOrder(_ kind: LoopMount.Kind) throws {
        let mount = try LoopMount(kind)
        defer { mount.unmount() }
        #expect(FlushOrdering.detect(at: mount.path).isJournalled, "\(FlushOrdering.detect(at: mount.path))")
        guard let save = try tracedSave(root: mount.path + "/root", environment: []) else { return }
        let blobBytes = try #require(save.syncedTemp(save.blobDirectory), "the blob's temp file was not flushed")
        let recordBytes = try #require(save.syncedTemp(save.drafts), "the record's temp file was not flushed")
        let blobName = try save.index("blob link") { $0.names(save.blob) }
        let recordName = try save.index("record link") { $0.names(save.record) }
        let line = try save.index("audit write") { $0 == .wrote(save.audit) }
        let auditFlush = try #require(save.synced(save.audit, after: line), "the audit file was not flushed after its line")
        let directories = [save.project, save.drafts, save.blobDirectory, save.project + "/objects/sha256"]
        // What the CLI does after the save (a signed checkpoint of the trail) is not the save's.
        let directoryFlushes = save.trace.calls[blobName...auditFlush].filter { call in directories.contains { call == .synced($0) } }

        #expect(blobBytes < blobName && recordBytes < blobName, "a name was made before the bytes were durable")
        #expect(blobName < recordName && recordName < line && line < auditFlush)
        #expect(directoryFlushes.isEmpty, "a directory was flushed although the journal orders names: \(directoryFlushes)")
    }

    @Test("ext4 without its journal is detected as such and gets the portable order", .enabled(if: SyscallTrace.isAvailable && LoopMount.canMakeExt4))
    func noJournalDetected() throws {
        let mount = try LoopMount(.ext4NoJournal)
        defer { mount.unmount() }
        let ordering = FlushOrdering.detect(at: mount.path)
        #expect(!ordering.isJournalled, "\(ordering)")
        #expect(ordering.description.contains("no journal"))
        guard let save = try tracedSave(root: mount.path + "/root", environment: []) else { return }
        let recordName = try save.index("record link") { $0.names(save.record) }
        #expect(save.synced(save.drafts, after: recordName) != nil, "drafts/ was not flushed")
    }
}

extension SyscallTrace.Call {
    /// Whether this link or rename gives a file the name `path`.
    func names(_ path: String) -> Bool {
        switch self {
        case .linked(_, let to), .renamed(_, let to): to == path
        default: false
        }
    }
}
