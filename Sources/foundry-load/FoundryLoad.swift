import ArgumentParser
import Foundation
import FoundryServer
import FoundryStore

/// `foundry-load`: starts `foundry serve` on a scratch root and measures, over
/// loopback with real WebSocket clients, the latencies and memory that the
/// real-time gateway is designed for. A benchmark, not a test: it prints figures.
@main
struct FoundryLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foundry-load",
        abstract: "Measure lock-broadcast latency, file-to-event latency and idle-socket memory of a real server."
    )

    @Option(help: "The foundry executable to start (default: the one beside this tool).") var foundry: String?
    @Option(help: "Sockets that receive each lock broadcast.") var listeners = 100
    @Option(help: "Lock acquire/release rounds.") var rounds = 200
    @Option(help: "Idle authenticated sockets to hold for the memory figure (0 skips it).") var idle = 10_000
    @Option(help: "Projects the idle sockets are spread over (presence is per project).") var idleProjects = 100
    @Option(help: "Loopback port for the server.") var port = 18_950
    @Option(help: "Pin the server to this CPU (taskset) and the load generator to the others, so they do not share cores.") var serverCpu: Int?

    static let secret = "foundry-load-secret-0123456789abcdef"

    func run() async throws {
        let root = NSTemporaryDirectory() + "foundry-load-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = try Workspace(root: root)
        let author = EditorIdentity(user: "load", session: "load")
        for id in ["bench"] + (0..<idleProjects).map({ "idle-\($0)" }) {
            _ = try workspace.createProject(NewProject(name: id, id: try ProjectID(id), fields: [try FieldName("system_prompt"): "x\n"]), by: author)
        }
        let server = try ServerProcess(executable: foundry ?? Self.sibling("foundry"), root: root, port: port, secret: Self.secret, cpu: serverCpu)
        if let serverCpu { Self.pinSelf(awayFrom: serverCpu) }
        defer { server.stop() }
        let authority = try await TokenAuthority(secret: Self.secret)
        func url(_ user: String, project: String = "bench") async throws -> String {
            "ws://127.0.0.1:\(port)/ws/project/\(project)?token=\(try await authority.issue(user: user))&session=\(user)"
        }

        print("foundry-load: server pid \(server.pid), \(ProcessInfo.processInfo.activeProcessorCount) cores, root \(root)")
        let actor = LoadSocket(url: try await url("actor"))
        var sockets: [LoadSocket] = []
        for index in 0..<listeners { sockets.append(LoadSocket(url: try await url("listener\(index)"))) }
        try await Self.waitUntil("\(listeners + 1) sockets connected") { actor.isConnected && sockets.allSatisfy(\.isConnected) }

        var lockSamples: [UInt64] = []
        for round in 0..<rounds {
            let field = "bench/lock-\(round)"
            let start = DispatchTime.now().uptimeNanoseconds
            actor.send(#"{"type": "LOCK_ACQUIRE", "field": "\#(field)"}"#)
            try await Self.waitUntil("LOCK_ACQUIRED \(field)") { sockets.allSatisfy { $0.arrival("LOCK_ACQUIRED", field: field) != nil } }
            lockSamples += sockets.compactMap { $0.arrival("LOCK_ACQUIRED", field: field).map { $0 - start } }
            actor.send(#"{"type": "LOCK_RELEASE", "field": "\#(field)"}"#)
            try await Self.waitUntil("LOCK_RELEASED \(field)") { sockets.allSatisfy { $0.arrival("LOCK_RELEASED", field: field) != nil } }
        }
        print(Percentiles(lockSamples).line("lock acquire → LOCK_ACQUIRED at \(listeners) sockets", target: "p99 < 5 ms"))

        var fileSamples: [UInt64] = []
        let locks = root + "/bench/locks"
        let observer = sockets[0]
        for round in 0..<rounds {
            let field = "bench/file-\(round)"
            let lock = FieldLock(field: field, user: "outsider", session: "outsider", token: 1_000_000 + round,
                                 acquiredAt: Timestamp.string(from: Date()), expiresAt: Timestamp.string(from: Date().addingTimeInterval(600)))
            let temp = locks + "/.tmp-load-\(round)"
            try JSONEncoder().encode(lock).write(to: URL(fileURLWithPath: temp))
            let start = DispatchTime.now().uptimeNanoseconds
            link(temp, locks + "/bench%2Ffile-\(round).lock")
            unlink(temp)
            try await Self.waitUntil("event for \(field)") { observer.arrival("LOCK_ACQUIRED", field: field) != nil }
            fileSamples.append(observer.arrival("LOCK_ACQUIRED", field: field)! - start)
            unlink(locks + "/bench%2Ffile-\(round).lock")
        }
        print(Percentiles(fileSamples).line("file appears in a project → WebSocket event", target: "p99 < 5 ms"))

        for socket in sockets + [actor] { socket.close() }
        guard idle > 0 else { return }
        try await Task.sleep(for: .seconds(1))
        let baseline = server.residentMegabytes()
        var idleSockets: [LoadSocket] = []
        let opened = ContinuousClock.now
        for wave in stride(from: 0, to: idle, by: 250) {
            var pending = Array(wave..<min(wave + 250, idle))
            for attempt in 1...5 where !pending.isEmpty {
                let opening = try await pending.asyncMap { LoadSocket(url: try await url("idle\($0)", project: "idle-\($0 % idleProjects)")) }
                try await Self.waitUntil("a wave of idle sockets", timeout: .seconds(60)) { opening.allSatisfy { $0.isConnected || $0.hasEnded } }
                idleSockets += opening.filter(\.isConnected)
                pending = zip(pending, opening).filter { !$0.1.isConnected }.map(\.0)
                if !pending.isEmpty { print("  wave \(wave): \(pending.count) connect(s) failed, retry \(attempt)") }
            }
        }
        try await Task.sleep(for: .seconds(2))
        let resident = server.residentMegabytes()
        print(String(format: "idle authenticated sockets: %d connected over %d projects in %@, server RSS %.0f MB (%.0f MB before, %.1f KB per socket)   (target: < 300 MB at 10,000)",
                     idleSockets.count, idleProjects, "\(ContinuousClock.now - opened)", resident, baseline, (resident - baseline) * 1024 / Double(max(idleSockets.count, 1))))
        for socket in idleSockets { socket.close() }
    }

    static func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw ValidationError("timed out waiting for \(what)") }
            try await Task.sleep(for: .microseconds(200))
        }
    }

    /// Restricts this process to every CPU but `cpu`.
    static func pinSelf(awayFrom cpu: Int) {
        let others = (0..<ProcessInfo.processInfo.activeProcessorCount).filter { $0 != cpu }.map(String.init).joined(separator: ",")
        guard !others.isEmpty else { return }
        let taskset = Process()
        taskset.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        taskset.arguments = ["-a", "-p", "-c", others, String(getpid())]
        taskset.standardOutput = FileHandle.nullDevice
        try? taskset.run()
        taskset.waitUntilExit()
    }

    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
