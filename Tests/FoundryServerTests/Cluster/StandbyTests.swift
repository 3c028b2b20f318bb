import Foundation
@testable import FoundryServer
import FoundryStore
import Testing

/// `foundry serve --standby`: a replica root that changes only once a client arrives.
@Suite("Standby server")
struct StandbyTests {
    /// A project whose manifest lags its newest record, as a copy in flight
    /// (or a crash) leaves it: what the start recovery repairs.
    static func replicaWithLaggingManifest(_ root: String) throws {
        let workspace = try Workspace(root: root)
        let store = try workspace.createProject(NewProject(name: "Onco", id: try ProjectID("onco"), fields: [try FieldName("p"): "v1\n"]), by: EditorIdentity(user: "alice", session: "s"))
        let manifest = try Data(contentsOf: URL(fileURLWithPath: store.layout.manifest))
        _ = try store.locks.acquire(try FieldName("p"), for: EditorIdentity(user: "alice", session: "s"), ttl: 60)
        _ = try store.save(SaveRequest(baseVersion: 1, fields: [try FieldName("p"): "v2\n"]), by: EditorIdentity(user: "alice", session: "s"))
        try manifest.write(to: URL(fileURLWithPath: store.layout.manifest))
        try FileManager.default.createDirectory(atPath: ReplicaFence(root: root).replicaTempDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: ReplicaFence(root: root).replicaTempDirectory + "/.000003.json.Xy12ab", contents: Data("{\"half".utf8))
    }

    static func head(_ root: String) throws -> Int? {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/onco/project.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["head_version"] as? Int
    }

    @Test("A standby answers /health as standby and changes nothing on its root; the first client request promotes it")
    func promotedByTheFirstRequest() async throws {
        let server = try await TestServer { $0.standby = true }
        defer { server.cleanup() }
        try Self.replicaWithLaggingManifest(server.root)
        let alice = try await server.token("alice")
        try await server.run { api in
            let before = try snapshot(server.root)
            let health = try await api.request(.get, "/health", token: nil)
            #expect(health.status == .ok)
            #expect(health.json["role"] as? String == "standby")
            #expect(try await api.request(.get, "/metrics", token: nil).status == .ok)
            #expect(try snapshot(server.root) == before, "no start recovery, no promotion yet")
            #expect(try Self.head(server.root) == 1)

            let read = try await api.request(.get, "/projects/onco", token: alice)
            #expect(read.status == .ok)
            #expect(read.json["head_version"] as? Int == 2)
            #expect(try Self.head(server.root) == 2, "the start recovery ran at promotion")
            #expect(FileManager.default.fileExists(atPath: ReplicaFence(root: server.root).promotedPath))
            #expect(!FileManager.default.fileExists(atPath: ReplicaFence(root: server.root).replicaTempDirectory))
            #expect(try await api.request(.get, "/health", token: nil).json["role"] as? String == "primary")
        }
    }

    @Test("Promotion waits for the replicator's copy in flight (its flock on .foundry/replication.lock) and fences the next one out")
    func promotionWaitsForTheCopyInFlight() async throws {
        let server = try await TestServer { $0.standby = true }
        defer { server.cleanup() }
        try Self.replicaWithLaggingManifest(server.root)
        let fence = ReplicaFence(root: server.root)
        let fd = open(fence.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let inode = info.st_ino
        let alice = try await server.token("alice")
        try await server.run { api in
            let read = Task { try await api.request(.get, "/projects/onco", token: alice) }
            let queued = try await blocking { waitForBlockedFlock(onInode: inode) }
            #expect(queued, "the promotion queues behind the copy")
            #expect(!fence.isPromoted)
            flock(fd, LOCK_UN)
            close(fd)
            let status = try await read.value.status
            #expect(status == .ok)
            #expect(fence.isPromoted)
        }
        // The replicator's check: under the lock, `promoted` exists, so it copies nothing.
        #expect(try run("/usr/bin/flock", [fence.lockPath, "test", "-e", fence.promotedPath]).status == 0)
    }

    @Test("A WebSocket upgrade promotes a standby like an HTTP request, and the socket gets its snapshot")
    func socketPromotes() async throws {
        let server = try await TestServer { $0.standby = true }
        defer { server.cleanup() }
        try Self.replicaWithLaggingManifest(server.root)
        let alice = try await server.token("alice")
        try await server.run { api in
            let socket = TestSocket(port: api.port, path: "/ws/project/onco?token=\(alice)")
            defer { socket.close() }
            let snapshot = await socket.next("SNAPSHOT")
            #expect(snapshot?["head_version"]?.int == 2)
            #expect(ReplicaFence(root: server.root).isPromoted)
        }
    }

    @Test("A run the old primary supervised on another host is marked lost at promotion: its output went to that host")
    func runsOfTheOldPrimaryAreLost() async throws {
        let server = try await TestServer { $0.standby = true }
        defer { server.cleanup() }
        try Self.replicaWithLaggingManifest(server.root)
        let store = try Workspace(root: server.root).project(ProjectID("onco"))
        var prepared = try store.prepareRun(version: nil, by: EditorIdentity(user: "alice", session: "s"), external: false)
        prepared.record.supervisor = RunSupervisorID(host: "the-old-primary", bootID: "b", pid: 4242, startTime: 1)
        try store.updatePrepared(prepared)
        try store.publishRun(prepared)
        let path = "/projects/onco/runs/\(prepared.id)"
        let alice = try await server.token("alice")
        try await server.run { api in
            let run = try await api.request(.get, path, token: alice)
            #expect(run.json["state"] as? String == "lost")
        }
    }

    @Test("A standby without the shared secret refuses to start: it would reject every token after a failover")
    func standbyNeedsTheSharedSecret() async throws {
        let root = NSTemporaryDirectory() + "foundry-standby-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        var configuration = ServerConfiguration(root: root, port: 0)
        configuration.standby = true
        await #expect(throws: APIError.self) { _ = try await FoundryServer.makeApplication(configuration: configuration) }
        #expect(!FileManager.default.fileExists(atPath: root + "/.foundry/jwt-secret"))
    }

    @Test("A root promoted once starts as a primary even with --standby: recovery runs at start")
    func promotedRootStartsAsPrimary() async throws {
        let server = try await TestServer { $0.standby = true }
        defer { server.cleanup() }
        try Self.replicaWithLaggingManifest(server.root)
        try ReplicaFence(root: server.root).promote()
        try await server.run { api in
            let health = try await api.request(.get, "/health", token: nil)
            #expect(try Self.head(server.root) == 2, "recovered at start")
            #expect(health.json["role"] as? String == "primary")
        }
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
