import ArgumentParser
import Foundation
import FoundryStore
#if canImport(Glibc)
import Glibc
#endif

/// `foundry-bench join`: a new user's socket joins a project that 100
/// viewers watch; how long from the joiner's TCP `connect` until the last
/// viewer has read `USER_JOINED`. The viewers are raw sockets read by one
/// `epoll` thread that parses no JSON (the client of the side-by-side
/// measurement); what that client itself costs to read as many sockets is
/// measured in the same run and printed beside the figure.
struct JoinBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Joiner TCP connect → USER_JOINED at the last of 100 viewers, beside this client's own cost of reading 100 sockets."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Viewers watching the project.") var viewers = 100
    @Option(help: "Joins measured (each by a new user).") var rounds = 200

    func run() async throws {
        let bench = try await BenchServer(server, name: "join")
        defer { bench.stop() }
        var members: [String: ProjectRole] = [:]
        for viewer in 0..<viewers { members["viewer\(viewer)"] = .viewer }
        for round in 0..<rounds { members["joiner\(round)"] = .viewer }
        try bench.createProject("bench", members: members)
        try bench.start(arguments: ["--ping-interval", "3600"])
        let port = bench.port

        var sockets: [(fd: Int32, leftover: [UInt8])] = []
        for viewer in 0..<viewers {
            let fd = try RawSocket.connect(port: port)
            try RawSocket.send(fd, RawSocket.upgradeRequest(path: try await path(bench, user: "viewer\(viewer)")))
            sockets.append((fd, try RawSocket.readUpgradeResponse(fd)))
        }
        let crowd = try ViewerCrowd(sockets: sockets)
        defer { crowd.close() }
        let requests = try await (0..<rounds).asyncMap { RawSocket.upgradeRequest(path: try await path(bench, user: "joiner\($0)")) }
        // Every viewer has its SNAPSHOT, so the hub has it, before the first round.
        try await waitUntil("the viewers' snapshots") { crowd.arrivals("SNAPSHOT") != nil }

        let samples = try await Threads.run { () -> [UInt64] in
            var samples: [UInt64] = []
            for round in 0..<rounds {
                let joined = "joined-\(round)", left = "left-\(round)"
                crowd.watch(joined, type: "USER_JOINED", marker: "\"joiner\(round)\"")
                crowd.watch(left, type: "USER_LEFT", marker: "\"joiner\(round)\"")
                let start = Monotonic.now()
                let joiner = try RawSocket.connect(port: port)
                try RawSocket.send(joiner, requests[round])
                _ = try RawSocket.readUpgradeResponse(joiner)
                samples.append((try Self.await(crowd, joined).max() ?? start) - start)
                close(joiner)
                _ = try Self.await(crowd, left)
                crowd.forget(joined)
                crowd.forget(left)
            }
            return samples
        }
        let floor = Percentiles(try await Threads.run { try ReadFloor.measure(sockets: viewers, rounds: rounds) })
        let figures = Percentiles(samples)
        Report(label: "join → USER_JOINED at the last of \(viewers) viewers", figure: figures.summary,
               limit: .init(name: "this client reading \(viewers) sockets p50", figure: Report.milliseconds(floor.p50), ratio: figures.p50 / floor.p50),
               target: "p50 ≤ 3 ms, p99 ≤ 5 ms").print()
        Report(label: "  this client reading \(viewers) sockets (the floor)", figure: floor.summary).print()
    }

    private func path(_ bench: BenchServer, user: String) async throws -> String {
        "/ws/project/bench?token=\(try await bench.token(user))&session=\(user)"
    }

    /// Blocks until every viewer has seen `key`; their arrival times.
    private static func await(_ crowd: ViewerCrowd, _ key: String) throws -> [UInt64] {
        let deadline = Date().addingTimeInterval(30)
        while true {
            if let arrivals = crowd.arrivals(key) { return arrivals }
            guard Date() < deadline else { throw BenchFailure("timed out waiting for \(key) at every viewer") }
            usleep(200)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
