import Foundation
import FoundryServer
import Synchronization
import Testing

/// A burst of 100,000 inotify events in a watched project directory while a
/// client is connected and real changes happen in the middle of it: the
/// client's view must end equal to the files, by the exact events or by the
/// `RESYNC` that follows a kernel queue overflow.
@Suite("Fault: watcher overflow under an event burst", .serialized)
struct WatcherOverflowFaultTests {
    static let project = "burst"
    static let events = environmentInt("FOUNDRY_FAULT_BURST_EVENTS", 100_000)

    @Test("100,000 file events with a save and lock changes in the middle: the client converges on the files")
    func burst() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let port = fixture.server.port
        let (alice, bob) = (fixture.alice, fixture.bob)
        let started = ContinuousClock.now
        let changes = try await blocking { try Self.burst(in: fixture.directory + "/locks", events: Self.events, port: port, alice: alice, bob: bob) }
        let burstTime = ContinuousClock.now - started
        #expect(changes.allSatisfy { $0.status == 200 || $0.status == 201 }, "\(changes)")
        let outcome = try await fixture.converge()
        #expect(outcome.view == outcome.files, "the client believes \(outcome.view), the files say \(outcome.files)")
        #expect(outcome.files.head == 2 && outcome.files.locks.keys.sorted() == ["notes.txt"], "\(outcome.files)")
        print("watcher burst: \(Self.events) events in \(burstTime) (max_queued_events \(Self.queueLimit)); \(outcome.overflows) overflow(s); \(outcome.resyncs) RESYNC; the client converged on \(outcome.view)")
        fixture.remove()
    }

    @Test("The same burst while the server is stopped (SIGSTOP) and a second server saves: the queue overflows, RESYNC brings the client level")
    func burstWhileStalled() async throws {
        let fixture = try await Fixture()
        defer { fixture.close() }
        let other = try await blocking { try ServerProcess(root: fixture.root, lockTTL: 300, logName: "second") }
        defer { other.kill() }
        let port = other.port
        let (alice, bob) = (fixture.alice, fixture.bob)
        // More events than the kernel queues, whatever this machine's limit.
        let events = max(Self.events, 2 * (Int(Self.queueLimit) ?? 16384))
        kill(fixture.server.pid, SIGSTOP)
        #expect(await eventually { Self.isStopped(fixture.server.pid) }, "SIGSTOP did not stop the server")
        let changes = try await blocking { try Self.burst(in: fixture.directory + "/locks", events: events, port: port, alice: alice, bob: bob) }
        kill(fixture.server.pid, SIGCONT)
        #expect(changes.allSatisfy { $0.status == 200 || $0.status == 201 }, "\(changes)")
        let outcome = try await fixture.converge()
        #expect(outcome.view == outcome.files, "the client believes \(outcome.view), the files say \(outcome.files)")
        #expect(outcome.files.head == 2 && outcome.files.locks.keys.sorted() == ["notes.txt"], "\(outcome.files)")
        #expect(outcome.resyncs >= 1, "no RESYNC after a burst of \(events) events into a queue of \(Self.queueLimit)")
        #expect(outcome.overflows >= 1)
        print("watcher burst on a stopped server: \(events) events (max_queued_events \(Self.queueLimit)); \(outcome.overflows) overflow(s); \(outcome.resyncs) RESYNC; the client converged on \(outcome.view)")
        fixture.remove()
    }

    /// Whether every thread of process `pid` is stopped (`T` in `/proc/<pid>/task/*/stat`):
    /// from then on it reads nothing, and its inotify queue only fills.
    static func isStopped(_ pid: Int32) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return !tasks.isEmpty && tasks.allSatisfy { task in
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/stat", encoding: .utf8)) ?? ""
            guard let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "T"
        }
    }

    static var queueLimit: String {
        (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    }

    /// A server process with project `burst` (version 1) and a WebSocket client that has its snapshot.
    struct Fixture {
        let root = NSTemporaryDirectory() + "foundry-fault-burst-" + UUID().uuidString
        let server: ServerProcess
        let socket: TestSocket
        let alice: String
        let bob: String
        var directory: String { root + "/" + WatcherOverflowFaultTests.project }

        init() async throws {
            let authority = try await TokenAuthority(secret: TestServer.secret)
            alice = try await authority.issue(user: "alice", session: "alice", lifetime: 3600)
            bob = try await authority.issue(user: "bob", session: "bob", lifetime: 3600)
            let root = root
            server = try await blocking { try ServerProcess(root: root, lockTTL: 300) }
            let (port, alice) = (server.port, alice)
            try await blocking {
                let created = try BlockingHTTP.request(port: port, "POST", "/projects", token: alice, body: .json([
                    "name": "Burst", "id": WatcherOverflowFaultTests.project, "fields": ["system_prompt": "v1\n", "notes.txt": "n\n"],
                    "members": ["bob": "editor"],
                ]))
                guard created.status == 201 else { throw HTTPFailure.truncated("create: \(created.text)") }
            }
            socket = TestSocket(port: port, path: "/ws/project/\(WatcherOverflowFaultTests.project)?token=\(alice)&session=observer")
            guard await socket.next("SNAPSHOT") != nil else { throw HTTPFailure.truncated("no SNAPSHOT") }
        }

        /// Waits until the client's view equals the files; returns both, the RESYNC count and the overflow counter.
        func converge() async throws -> (view: ClientView, files: ClientView, resyncs: Int, overflows: Int) {
            let files = ClientView(files: directory)
            var view = ClientView(frames: socket.frames)
            _ = await eventually {
                view = ClientView(frames: socket.frames)
                return view == files
            }
            let port = server.port
            let metrics = try await blocking { try BlockingHTTP.request(port: port, "GET", "/metrics", token: nil).text }
            let overflows = metrics.split(separator: "\n").first { $0.hasPrefix("foundry_watcher_overflows_total") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
            return (view, files, socket.frames.filter { $0.type == "RESYNC" }.count, overflows)
        }

        func close() {
            socket.close()
            server.kill()
        }

        func remove() {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-logs")
        }
    }

    /// Creates, closes and unlinks `.tmp-burst-*` files in `directory` from
    /// three threads (three inotify events each: create, close-write,
    /// delete) until `events` were caused; half-way, a fourth thread locks,
    /// saves and releases over HTTP. Returns those requests' statuses.
    static func burst(in directory: String, events: Int, port: Int, alice: String, bob: String) throws -> [(request: String, status: Int)] {
        let files = (events + 2) / 3
        let threads = 3
        let done = Shared(0)
        let changes = Shared<[(request: String, status: Int)]>([])
        let group = DispatchGroup()
        for thread in 0..<threads {
            DispatchQueue.global().async(group: group) {
                for index in stride(from: thread, to: files, by: threads) {
                    let path = directory + "/.tmp-burst-\(index)"
                    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                    if fd >= 0 { close(fd) }
                    unlink(path)
                    done.withLock { $0 += 1 }
                }
            }
        }
        DispatchQueue.global().async(group: group) {
            while done.value < files / 2 { usleep(1000) }
            func record(_ name: String, _ reply: HTTPReply?) { changes.withLock { $0.append((name, reply?.status ?? 0)) } }
            record("bob locks notes.txt", try? BlockingHTTP.request(port: port, "PUT", "/projects/\(project)/locks/notes.txt", token: bob))
            record("alice locks system_prompt", try? BlockingHTTP.request(port: port, "PUT", "/projects/\(project)/locks/system_prompt", token: alice))
            record("alice saves system_prompt", try? BlockingHTTP.request(port: port, "POST", "/projects/\(project)/drafts", token: alice, body: .json([
                "base_version": 1, "fields": ["system_prompt": "v2, saved during the burst\n"],
            ])))
            record("alice locks scratch.md", try? BlockingHTTP.request(port: port, "PUT", "/projects/\(project)/locks/scratch.md", token: alice))
            record("alice releases scratch.md", try? BlockingHTTP.request(port: port, "DELETE", "/projects/\(project)/locks/scratch.md", token: alice))
        }
        group.wait()
        return changes.withLock { $0 }
    }
}
