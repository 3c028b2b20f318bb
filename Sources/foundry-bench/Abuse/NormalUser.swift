import Foundation

/// The user who is not attacking: `GET /health` and saves of a field whose
/// lock it holds on one keep-alive connection, and socket joins (open →
/// `SNAPSHOT`), each timed.
struct NormalUser {
    struct Samples {
        var health: [UInt64] = []
        var save: [UInt64] = []
        var join: [UInt64] = []
    }

    let bench: BenchServer
    let token: String
    let project: String
    let field: String

    /// Takes its field's lock (with `keep_locks` every save keeps it).
    static func start(_ bench: BenchServer, project: String, field: String) async throws -> NormalUser {
        let user = NormalUser(bench: bench, token: try await bench.token(), project: project, field: field)
        let (port, token) = (bench.port, user.token)
        let lock = try await Threads.run { try HTTPConnection(port: port).request("PUT", "/projects/\(project)/locks/\(field)", token: token) }
        guard lock.status == 200 else { throw BenchFailure("lock: \(lock.status) \(lock.text)") }
        return user
    }

    /// `rounds` of each operation, the HTTP ones on a thread of their own while the joins run here.
    func measure(rounds: Int, joins: Int) async throws -> Samples {
        let (port, token, project, field) = (bench.port, token, project, field)
        async let http = Threads.run { () -> ([UInt64], [UInt64]) in
            let connection = try HTTPConnection(port: port)
            var (health, save) = ([UInt64](), [UInt64]())
            var head = try connection.request("GET", "/projects/\(project)", token: token).json["head_version"] as? Int ?? 0
            for round in 0..<rounds {
                health.append(try Monotonic.time {
                    let reply = try connection.request("GET", "/health", token: token)
                    guard reply.status == 200 else { throw BenchFailure("/health: \(reply.status) \(reply.text)") }
                })
                let body = try JSONSerialization.data(withJSONObject: [
                    "base_version": head, "fields": [field: "save \(round) at \(Monotonic.now())\n"], "keep_locks": true,
                ])
                save.append(try Monotonic.time {
                    let reply = try connection.request("POST", "/projects/\(project)/drafts", token: token, body: body)
                    guard reply.status == 201, let version = reply.json["version_number"] as? Int else { throw BenchFailure("save: \(reply.status) \(reply.text)") }
                    head = version
                })
            }
            return (health, save)
        }
        var samples = Samples()
        for round in 0..<joins {
            let start = Monotonic.now()
            // A socket told to come back later (1013, a full join queue) does, after a second, as docs/limits.md advises.
            for attempt in 0..<60 {
                let socket = LoadSocket(url: try await bench.socketURL(user: "bench", session: "join-\(round)-\(attempt)-\(start)", project: project))
                try await waitUntil("the normal user's join", timeout: .seconds(120)) { socket.isConnected || socket.hasEnded }
                socket.close()
                if socket.isConnected { break }
                try await Task.sleep(for: .seconds(1))
            }
            samples.join.append(Monotonic.now() - start)
        }
        (samples.health, samples.save) = try await http
        return samples
    }
}
