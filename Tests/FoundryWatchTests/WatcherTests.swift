import Foundation
import Synchronization
@testable import FoundryStore
import Testing
@testable import FoundryWatch

/// Collects a watcher's events in the background; `next` waits for a
/// matching one, with a bound, so a missed event fails instead of hanging.
final class EventReader: Sendable {
    private final class Log: Sendable {
        let events = Mutex<[WatchEvent]>([])
    }

    private let log = Log()
    private let consumed = Mutex(0)
    private let task: Task<Void, Never>

    init(_ watcher: WorkspaceWatcher) {
        let log = log
        let stream = watcher.events
        task = Task {
            for await event in stream { log.events.withLock { $0.append(event) } }
        }
    }

    deinit { task.cancel() }

    var seen: [WatchEvent] { log.events.withLock { $0 } }

    /// The first unconsumed event matching `predicate`; `nil` if none came within `seconds`
    /// (a bound for a failing test, not a guess of how long the event takes).
    func next(within seconds: Double = 30, where predicate: (WatchEvent) -> Bool) async -> WatchEvent? {
        await through(within: seconds, where: predicate)?.last
    }

    /// The unconsumed events up to and including the first matching `predicate`.
    /// The watcher reports events in the order they happened, so a change
    /// made after another is a barrier: what the first caused comes before it.
    func through(within seconds: Double = 30, where predicate: (WatchEvent) -> Bool) async -> [WatchEvent]? {
        // The bound counts this task's own polls, not the clock: a task left
        // unscheduled while the whole suite starts must not run out of time unseen.
        for poll in 0...Int(seconds * 100) {
            let all = seen
            let start = consumed.withLock { $0 }
            if let index = all[start...].firstIndex(where: predicate) {
                consumed.withLock { $0 = index + 1 }
                return Array(all[start...index])
            }
            if poll < Int(seconds * 100) { try? await Task.sleep(for: .milliseconds(10)) }
        }
        return nil
    }
}

/// Runs blocking work (a file burst) on a Dispatch thread, off Swift's cooperative pool.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

@Suite("inotify watcher", .serialized)
struct WatcherTests {
    let identity = EditorIdentity(user: "alice", session: "s1")

    func makeRoot() throws -> String {
        let root = NSTemporaryDirectory() + "foundry-watch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return root
    }

    @Test("A new project, its drafts and its locks become typed events, with the release reason")
    func projectLifecycle() async throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let watcher = try WorkspaceWatcher(root: root)
        defer { watcher.stop() }
        let reader = EventReader(watcher)
        let workspace = try Workspace(root: root)
        let store = try workspace.createProject(NewProject(name: "x", id: try ProjectID("onco"), fields: [try FieldName("a"): "1\n"]), by: identity)
        #expect(await reader.next { $0.kind == .projectAppeared } != nil)
        #expect(await reader.next { $0.kind == .draftCreated(version: 1) } != nil)

        try store.locks.acquire(try FieldName("tests/bec.jsonl"), for: identity, ttl: 60)
        #expect(await reader.next { $0 == WatchEvent(project: "onco", kind: .lockCreated(field: "tests/bec.jsonl")) } != nil)
        _ = try store.save(SaveRequest(baseVersion: 1, fields: [try FieldName("tests/bec.jsonl"): "{}\n"]), by: identity)
        #expect(await reader.next { $0.kind == .draftCreated(version: 2) } != nil)
        let released = await reader.next { if case .lockReleased = $0.kind { true } else { false } }
        #expect(released?.kind == .lockReleased(field: "tests/bec.jsonl", token: 1, reason: "save"))
    }

    @Test("Changes made by another process are seen; temp files and identical rewrites are not reported")
    func externalAndNoise() async throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = try Workspace(root: root)
        let store = try workspace.createProject(NewProject(name: "x", id: try ProjectID("p")), by: identity)
        let watcher = try WorkspaceWatcher(root: root)
        defer { watcher.stop() }
        let reader = EventReader(watcher)
        let lock = store.layout.locks + "/system_prompt.lock"
        let script = "echo '{}' > \(store.layout.locks)/.tmp-x && ln \(store.layout.locks)/.tmp-x \(lock) && rm \(store.layout.locks)/.tmp-x"
        let shell = try Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script])
        shell.waitUntilExit()
        #expect(await reader.next { $0.kind == .lockCreated(field: "system_prompt") } != nil)
        try FileManager.default.removeItem(atPath: lock)
        #expect(await reader.next { $0.kind == .lockReleased(field: "system_prompt", token: nil, reason: "removed") } != nil)

        let manifest = try CanonicalJSON.encode(try store.manifest()) + Data(" ".utf8)
        try FileIO.replace(manifest, at: store.layout.manifest)
        #expect(await reader.next { $0.kind == .manifestChanged } != nil)
        try FileIO.replace(manifest, at: store.layout.manifest)
        // The same bytes again, then a lock file: the rewrite reported nothing before the lock.
        #expect(try FileIO.createExclusively(Data("{}".utf8), at: store.layout.locks + "/barrier.lock"))
        let sinceRewrite = try #require(await reader.through { $0.kind == .lockCreated(field: "barrier") })
        #expect(!sinceRewrite.contains { $0.kind == .manifestChanged }, "\(sinceRewrite)")
        #expect(reader.seen.allSatisfy { event in
            if case .lockCreated(let field) = event.kind { return !field.hasPrefix(".") }
            return true
        })
    }

    @Test("Annotation records, runs created later, run records and console appends become typed events")
    func annotationsAndRuns() async throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try Workspace(root: root).createProject(NewProject(name: "x", id: try ProjectID("p")), by: identity)
        let watcher = try WorkspaceWatcher(root: root)
        defer { watcher.stop() }
        let reader = EventReader(watcher)
        let project = store.layout.directory

        // A directory that appears after the watch started is watched, and what is already in it reported.
        let staged = project + "/.tmp-comments"
        try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
        try FileIO.replace(Data("{}".utf8), at: staged + "/000001.json")
        try FileManager.default.moveItem(atPath: staged, toPath: project + "/comments")
        #expect(await reader.next { $0 == WatchEvent(project: "p", kind: .annotationAdded(.comments, sequence: 1)) } != nil)
        try FileIO.replace(Data("{}".utf8), at: project + "/comments/000002.json")
        #expect(await reader.next { $0.kind == .annotationAdded(.comments, sequence: 2) } != nil)
        try FileManager.default.createDirectory(atPath: project + "/tasks", withIntermediateDirectories: true)
        try FileIO.replace(Data("{}".utf8), at: project + "/tasks/000001.json")
        #expect(await reader.next { $0.kind == .annotationAdded(.tasks, sequence: 1) } != nil)

        try FileManager.default.createDirectory(atPath: project + "/runs/r1", withIntermediateDirectories: true)
        try FileIO.replace(Data(#"{"state": "running"}"#.utf8), at: project + "/runs/r1/run.json")
        #expect(await reader.next { $0.kind == .runChanged(run: "r1") } != nil)
        let shell = try Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "printf 'a\\n' >> \(project)/runs/r1/console.log"])
        shell.waitUntilExit()
        #expect(await reader.next { $0.kind == .consoleAppended(run: "r1") } != nil)
        let handle = try #require(FileHandle(forWritingAtPath: project + "/runs/r1/console.log"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("b\n".utf8))
        try handle.close()
        #expect(await reader.next { $0.kind == .consoleAppended(run: "r1") } != nil)
        // The same run record again is no news; a changed one is.
        try FileIO.replace(Data(#"{"state": "running"}"#.utf8), at: project + "/runs/r1/run.json")
        try FileIO.replace(Data("{}".utf8), at: project + "/tasks/000002.json")
        let sinceRewrite = try #require(await reader.through { $0.kind == .annotationAdded(.tasks, sequence: 2) })
        #expect(!sinceRewrite.contains { $0.kind == .runChanged(run: "r1") }, "\(sinceRewrite)")
        try FileIO.replace(Data(#"{"state": "finished"}"#.utf8), at: project + "/runs/r1/run.json")
        #expect(await reader.next { $0.kind == .runChanged(run: "r1") } != nil)
    }

    @Test("A burst larger than the kernel queue while the reader is paused ends in an overflow event")
    func overflow() async throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try Workspace(root: root).createProject(NewProject(name: "x", id: try ProjectID("p")), by: identity)
        let watcher = try WorkspaceWatcher(root: root)
        defer { watcher.stop() }
        let reader = EventReader(watcher)
        await watcher.pause()
        let locks = store.layout.locks
        try await blocking { try watcher.overflowQueue(in: locks) }
        watcher.resume()
        #expect(await reader.next { $0 == WatchEvent(project: "*", kind: .overflow) } != nil, "\(reader.seen.prefix(5)) … \(reader.seen.count)")
    }

    @Test("Hundreds of watchers start and stop in one process without exhausting inotify instances")
    func startStop() throws {
        let root = try makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for _ in 0..<200 {
            let watcher = try WorkspaceWatcher(root: root)
            watcher.stop()
        }
    }

    @Test("Tombstone names carry field, token and reason")
    func tombstones() throws {
        let tombstone = LockTombstone(field: try FieldName("fewshot/a.jsonl"), token: 42, reason: .disconnect)
        #expect(tombstone.fileName == ".released-disconnect-42-fewshot%2Fa.jsonl.lock")
        #expect(LockTombstone(fileName: tombstone.fileName) == tombstone)
        #expect(LockTombstone(fileName: ".released-bogus-1-a.lock") == nil)
    }
}
