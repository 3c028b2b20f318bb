import Foundation
@testable import FoundryServer
@testable import FoundryStore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The server stays responsive while requests pile up on busy projects: the
/// test holds projects' flocks (as a long save would) and sends lock
/// requests that must wait for them, then checks what still gets through.
@Suite("Server under write load")
struct WriteLoadTests {
    @Test("requests piling up on one busy project leave the I/O pool to the others: a read and a lock elsewhere are answered")
    func aBusyProjectDoesNotStallTheOthers() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let io = BlockingIO()
        try await server.run(io: io) { api in
            let alice = try await server.token("alice")
            try await Self.create(["busy", "quiet"], api: api, token: alice)
            let held = try Self.holdMutexes(of: ["busy"], root: server.root)
            let blocked = Requests(port: api.port, token: alice, (0..<24).map { (.put, "/projects/busy/locks/field-\($0)") })
            // Every one of them has arrived: one waits for the flock on a pool thread, 23 at the gate.
            #expect(await eventually { await io.waitingAtGate("busy") == 23 }, "the busy project's requests did not pile up at its gate")
            #expect(await eventually { Self.flockWaiters(on: ["busy"], root: server.root) == 1 })

            let elsewhere = Requests(port: api.port, token: alice, [(.get, "/projects/quiet"), (.put, "/projects/quiet/locks/system_prompt")])
            #expect(await eventually { elsewhere.answered == 2 })
            let answeredMeanwhile = (elsewhere.answered, blocked.answered)
            held.forEach { close($0) }
            let statuses = try await blocked.statuses()
            #expect(answeredMeanwhile == (2, 0), "(quiet, busy) requests answered while busy's flock was held")
            #expect(try await elsewhere.statuses() == [.ok, .ok])
            #expect(statuses.count == 24 && statuses.allSatisfy { $0 == .ok })
        }
    }

    @Test("a file event reaches its socket while every thread of the I/O pool waits for a busy project's flock")
    func eventsDoNotQueueBehindBusyProjects() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            let busy = (0..<20).map { "busy-\($0)" }
            try await Self.create(busy + ["quiet"], api: api, token: alice)
            let socket = TestSocket(port: api.port, path: "/ws/project/quiet?token=\(alice)&session=watch")
            defer { socket.close() }
            _ = try #require(await socket.next("SNAPSHOT"))
            let held = try Self.holdMutexes(of: busy, root: server.root)
            let blocked = Requests(port: api.port, token: alice, busy.map { (.put, "/projects/\($0)/locks/system_prompt") })
            // Every thread of the I/O pool is known to wait for a busy project's flock.
            let threads = min(busy.count, BlockingIO.defaultThreads)
            #expect(await eventually { Self.flockWaiters(on: busy, root: server.root) == threads }, "the pool's threads did not all wait for a flock")

            let store = try Workspace(root: server.root).project(try ProjectID("quiet"))
            let lock = FieldLock(field: "system_prompt", user: "outsider", session: "cli", token: 99,
                                 acquiredAt: Timestamp.string(from: Date()), expiresAt: Timestamp.string(from: Date().addingTimeInterval(600)))
            try FileIO.createExclusively(try CanonicalJSON.encode(lock), at: store.layout.lock(try FieldName("system_prompt")))
            let event = await socket.next("LOCK_ACQUIRED")
            let answeredMeanwhile = blocked.answered
            held.forEach { close($0) }
            let statuses = try await blocked.statuses()
            #expect(event?["user"]?.string == "outsider", "the event waited for the busy projects")
            #expect(answeredMeanwhile == 0, "the busy projects' requests did not wait for their flocks")
            #expect(statuses.count == busy.count && statuses.allSatisfy { $0 == .ok })
        }
    }

    static func create(_ ids: [String], api: APIClient, token: String) async throws {
        for id in ids {
            let created = try await api.request(.post, "/projects", token: token, json: ["name": id, "id": id, "fields": ["system_prompt": "v1\n"]])
            #expect(created.status == .created)
        }
    }

    /// How many `flock` calls wait for the mutexes of these projects (`/proc/locks`).
    static func flockWaiters(on ids: [String], root: String) -> Int {
        FlockQueue.waiters(onInodes: Set(ids.compactMap { id -> ino_t? in
            guard let project = try? ProjectID(id) else { return nil }
            var info = stat()
            return stat(ProjectLayout(root: root, id: project).mutex, &info) == 0 ? info.st_ino : nil
        }))
    }

    /// Takes each project's mutex (`flock` on `.mutex`); closing the descriptor releases it.
    static func holdMutexes(of ids: [String], root: String) throws -> [Int32] {
        try ids.map { id in
            let fd = open(ProjectLayout(root: root, id: try ProjectID(id)).mutex, O_RDWR | O_CLOEXEC)
            try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
            return fd
        }
    }
}

/// Requests sent at once, one connection each, counted as they are answered.
private final class Requests: Sendable {
    private final class Counter: Sendable {
        let value = Mutex(0)
    }

    private let counter: Counter
    private let task: Task<[HTTPResponse.Status], any Error>

    init(port: Int, token: String, _ requests: [(HTTPRequest.Method, String)]) {
        let counter = Counter()
        self.counter = counter
        task = Task {
            try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for (index, (method, path)) in requests.enumerated() {
                    group.addTask {
                        let client = TestClient(host: "127.0.0.1", port: port)
                        client.connect()
                        let status = try await client.execute(.init(path, method: method, headers: [.authorization: "Bearer \(token)"])).status
                        counter.value.withLock { $0 += 1 }
                        try? await client.shutdown()
                        return (index, status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
    }

    var answered: Int { counter.value.withLock { $0 } }

    func statuses() async throws -> [HTTPResponse.Status] {
        try await task.value
    }
}
