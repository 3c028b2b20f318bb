import Foundation
import Synchronization
import Testing
@testable import FoundryStore

@Suite("Online backup")
struct BackupTests {
    @Test("A backup of a project with records, annotations, a bundle and runs is a byte-for-byte copy that verifies clean")
    func wholeProject() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        try lockAndSave(store, "system_prompt", "line 1\nline two\n", as: alice)
        _ = try store.createComment(NewComment(version: 2, field: field("system_prompt"), lineStart: 1, lineEnd: 1, text: "why?"), by: bob)
        _ = try store.createTask(NewTask(title: "check it"), by: bob)
        let finished = try RunID(try store.createExternalRun(version: nil, by: alice).runID)
        _ = try store.appendOutput(finished, stream: .stdout, text: "ok\n", by: alice, cap: 1 << 20)
        try store.finishRun(finished, outcome: RunOutcome(exitStatus: 0), by: alice)
        let running = try RunID(try store.createExternalRun(version: 1, by: alice).runID)
        _ = try store.appendOutput(running, stream: .stdout, text: "still going\n", by: alice, cap: 1 << 20)
        _ = try store.locks.acquire(field("model_config.json"), for: bob, ttl: 600)
        let second = try workspace.createProject(NewProject(name: "Second", id: try ProjectID("second"), fields: [field("a.txt"): "a\n"]), by: bob)
        try second.sign(SignatureRequest(version: 1, meaning: .approved), by: bob.signer)
        _ = try second.freeze(FreezeRequest(), by: bob.signer)

        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let report = try WorkspaceBackup(workspace: workspace, destination: destination).run()

        #expect(report.projects.map(\.id) == ["onco", "second"])
        #expect(report.projects.map(\.headVersion) == [2, 1])
        var copy = try snapshot(destination)
        #expect(copy.removeValue(forKey: BackupMarker.fileName) != nil)
        #expect(copy == (try snapshot(directory.path)).filter { !$0.key.hasSuffix("/.mutex") && !$0.key.hasPrefix(".foundry") })
        // The server's signatures in the copy check with the source's public keys (.foundry/ is not copied).
        let verified = try Verifier(workspace: Workspace(root: destination), trustedKeys: workspace.notary?.keys).verify()
        #expect(verified.isClean && verified.signaturesChecked == 2, "\(verified.findings)")
        let marker = try #require(try BackupMarker.read(root: destination))
        #expect(marker.complete && marker.source == workspace.root && marker.projects == report.projects)
    }

    @Test("Blobs keep their mode 0444 and every copied file its modification time")
    func modesAndTimes() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        _ = try WorkspaceBackup(workspace: workspace, destination: destination).run()
        let hash = try #require(try store.head()?.record.fields["system_prompt"]?.sha256)
        for path in [store.layout.blob(hash), store.layout.draft(1), store.layout.manifest, store.layout.audit] {
            let copied = destination + path.dropFirst(directory.path.count)
            let original = try #require(BackupWriter.status(of: path)), backup = try #require(BackupWriter.status(of: copied))
            #expect(original.st_mode == backup.st_mode, "\(path)")
            #expect(original.st_mtim.tv_sec == backup.st_mtim.tv_sec && original.st_mtim.tv_nsec == backup.st_mtim.tv_nsec, "\(path)")
        }
        #expect(try #require(BackupWriter.status(of: destination + "/onco/objects/sha256/" + hash.prefix(2) + "/" + hash.dropFirst(2))).st_mode & 0o777 == 0o444)
    }

    @Test("What changes between the unlocked copy and the cut — a version, its blob, a lock, a comment, audit lines — is in the backup")
    func changesBetweenThePasses() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let writer = BackupWriter(root: destination)
        var backup = ProjectBackup(source: store.layout, destination: ProjectLayout(root: destination, id: store.id), writer: writer)
        try backup.copyStable()
        #expect(!FileManager.default.fileExists(atPath: destination + "/onco/project.json"), "the manifest is only read under the mutex")

        let saved = try lockAndSave(store, "system_prompt", "written after the first pass\n", as: alice)
        _ = try store.locks.acquire(field("model_config.json"), for: bob, ttl: 600)
        _ = try store.createComment(NewComment(version: 2, field: field("system_prompt"), lineStart: 1, lineEnd: 1, text: "late"), by: bob)
        let cut = try ProjectMutex(path: store.layout.mutex).withSharedLock { try backup.readCut() }
        #expect(cut.newDrafts == [2] && cut.headVersion == 2)
        #expect(cut.newAnnotations.count == 1)
        #expect(Set(cut.files.map(\.relative)) == ["project.json", "locks/.token", "locks/model_config.json.lock"])
        try backup.write(cut)
        try writer.syncDirectories()

        let copy = try Workspace(root: destination).project(store.id)
        #expect(try copy.draft(2).id == saved.draft.id)
        #expect(try copy.content(of: field("system_prompt"), in: 2) == Data("written after the first pass\n".utf8))
        #expect(try copy.locks.all().map(\.user) == ["bob"])
        #expect(try copy.allComments().map(\.text) == ["late"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy.layout.audit)) == Data(contentsOf: URL(fileURLWithPath: store.layout.audit)))
        #expect(try Verifier(workspace: Workspace(root: destination)).verify().isClean)
    }

    @Test("The cut waits for a change in progress: a version whose record is written but not yet audited is never copied half-done")
    func waitsForAChangeInProgress() async throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let inode = try #require(BackupWriter.status(of: store.layout.mutex)).st_ino
        let fields = try #require(try store.head()?.record.fields)
        let (queued, report) = try await offThePool { () -> (Bool, BackupReport) in
            let done = DispatchSemaphore(value: 0)
            let outcome = Mutex<Result<BackupReport, any Error>?>(nil)
            let queued = try store.mutex.withLock {
                // Half of a change: the record and blob exist, manifest and audit line do not yet.
                let entry = try store.entry(for: field("system_prompt"), text: "in progress\n")
                DispatchQueue.global().async {
                    outcome.withLock { $0 = Result { try WorkspaceBackup(workspace: workspace, destination: destination).run() } }
                    done.signal()
                }
                let queued = waitForBlockedFlock(onInode: inode)
                _ = try store.commitLocked(.init(kind: .save, fields: fields.merging(["system_prompt": entry]) { $1 }, identity: alice, message: nil))
                return queued
            }
            done.wait()
            return (queued, try outcome.withLock { $0 }!.get())
        }
        #expect(queued, "the backup queues for the project's mutex")
        #expect(report.projects.map(\.headVersion) == [2])
        #expect(try Verifier(workspace: Workspace(root: destination)).verify().isClean)
    }

    @Test("Under concurrent saves to three projects, every save acknowledged before the backup began is in it and the copy verifies clean")
    func concurrentSaves() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let workspace = try Workspace(root: directory.path)
        let ids = try ["p1", "p2", "p3"].map(ProjectID.init)
        for id in ids {
            _ = try workspace.createProject(NewProject(name: id.rawValue, id: id, fields: [field("prompt"): "v1\n"]), by: alice)
        }
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let (before, report) = try await offThePool { () -> ([Ack], BackupReport) in
            let acks = Mutex<[Ack]>([])
            let stop = Atomic<Bool>(false)
            let saved = DispatchSemaphore(value: 0)
            let writers = DispatchGroup()
            for id in ids {
                DispatchQueue.global().async(group: writers) {
                    guard let store = try? workspace.project(id) else { return }
                    for round in 1...400 {
                        guard !stop.load(ordering: .acquiring),
                              let result = try? lockAndSave(store, "prompt", "round \(round) of \(id)\n" + String(repeating: "x", count: round), as: alice) else { return }
                        acks.withLock { $0.append(Ack(project: id, version: result.draft.record.versionNumber, id: result.draft.id)) }
                        saved.signal()
                    }
                }
            }
            // Bounded only against writers that fail: 15 saves take milliseconds.
            for _ in 0..<15 where saved.wait(timeout: .now() + 120) == .timedOut {}
            let before = acks.withLock { $0 }
            defer {
                stop.store(true, ordering: .releasing)
                writers.wait()
            }
            return (before, try WorkspaceBackup(workspace: workspace, destination: destination).run())
        }

        #expect(before.count >= 15)
        let copy = try Workspace(root: destination)
        for ack in before {
            #expect(try copy.project(ack.project).draft(ack.version).id == ack.id, "\(ack.project) v\(ack.version)")
        }
        for project in report.projects {
            let original = try workspace.project(ProjectID(project.id)), copied = try copy.project(ProjectID(project.id))
            #expect(try copied.headVersion() == project.headVersion)
            for version in 1...project.headVersion { #expect(try copied.draft(version).id == original.draft(version).id) }
        }
        let verification = try Verifier(workspace: copy).verify()
        #expect(verification.isClean, "\(verification.findings)")
        #expect(verification.versionsChecked == report.projects.map(\.headVersion).reduce(0, +))
    }

    @Test("A second backup into the same directory writes only what changed and drops a released lock")
    func incremental() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        for round in 1...20 { try lockAndSave(store, "system_prompt", "round \(round)\n", as: alice) }
        _ = try store.locks.acquire(field("model_config.json"), for: bob, ttl: 600)
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let first = try WorkspaceBackup(workspace: workspace, destination: destination).run()
        let oldRecord = try #require(BackupWriter.status(of: destination + "/onco/drafts/000003.json"))

        _ = try store.locks.release(field("model_config.json"), by: bob)
        let saved = try lockAndSave(store, "system_prompt", "one more\n", as: alice)
        let second = try WorkspaceBackup(workspace: workspace, destination: destination).run()

        #expect(first.filesWritten > 40)
        // The new record and blob, the manifest, the audit trail's new lines, the lock counter.
        #expect(second.filesWritten <= 5, "\(second.filesWritten)")
        #expect(second.filesRemoved == 1)
        #expect(try #require(BackupWriter.status(of: destination + "/onco/drafts/000003.json")).st_ino == oldRecord.st_ino)
        let copy = try Workspace(root: destination).project(store.id)
        #expect(try copy.head()?.id == saved.draft.id)
        #expect(try copy.locks.all().isEmpty)
        #expect(try Verifier(workspace: Workspace(root: destination)).verify().isClean)
    }

    @Test("The server's private directory with the HS256 secret is not copied, and the report says so")
    func secretStaysBehind() throws {
        let (directory, workspace, _) = try makeProject()
        defer { directory.cleanup() }
        try FileManager.default.createDirectory(atPath: workspace.privateDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: workspace.privateDirectory + "/jwt-secret", contents: Data("s3cret".utf8))
        let destination = directory.path + "-backup"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let report = try WorkspaceBackup(workspace: workspace, destination: destination).run()
        #expect(report.notCopied == [".foundry"])
        #expect(!FileManager.default.fileExists(atPath: destination + "/.foundry"))
    }

    @Test("A destination that holds other files, or overlaps the root, is refused before anything is written")
    func refusedDestinations() throws {
        let (directory, workspace, _) = try makeProject()
        defer { directory.cleanup() }
        let destination = directory.path + "-other"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: destination + "/notes.txt", contents: Data("mine".utf8))
        #expect(throws: BackupError.destinationNotABackup(destination)) { try WorkspaceBackup(workspace: workspace, destination: destination).run() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["notes.txt"])
        let inside = workspace.root + "/backups"
        #expect(throws: BackupError.destinationOverlapsRoot(destination: inside, root: workspace.root)) {
            try WorkspaceBackup(workspace: workspace, destination: inside).run()
        }
        #expect(!FileManager.default.fileExists(atPath: inside))
    }
}

/// Waits (bounded) until a process is queued for a `flock` on the file with this inode.
func waitForBlockedFlock(onInode inode: ino_t) -> Bool {
    for _ in 0..<30_000 {
        if FlockQueue.hasWaiter(onInode: inode) { return true }
        usleep(1000)
    }
    return false
}

/// A save a writer saw acknowledged.
struct Ack: Sendable {
    var project: ProjectID
    var version: Int
    var id: String
}

/// Runs blocking work (writer threads, waits for a lock) on a Dispatch
/// thread: Swift's cooperative pool has one thread per core, and the
/// servers of the tests running beside these need them.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
