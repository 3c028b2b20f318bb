import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench abuse`: a normal user's `/health`, save and socket join,
/// unloaded and then under abusive clients — connections that never finish
/// their request head, kept-alive connections left idle, and a reconnect
/// storm — each figure beside the unloaded one; and when the server closed
/// the abusive connections.
///
/// The server runs with its default limits but the one per client address:
/// every client here comes from 127.0.0.1, as if each came from another
/// machine (the limit per address would refuse most of them at once).
struct AbuseBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abuse",
        abstract: "A normal user's /health, save and join latency, unloaded and under slow-header, idle and reconnecting crowds."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Connections that send a request head and never finish it.") var slowHeaders = 2000
    @Option(help: "Kept-alive connections that make one request, then idle.") var idle = 200
    @Option(help: "Sockets that all reconnect at once.") var storm = 2000
    @Option(help: "The server's --request-header-timeout, in seconds.") var headerTimeout = 10.0
    @Option(help: "The server's --keep-alive-timeout, in seconds (shorter than its default of 75, so the bench sees the closing).")
    var keepAliveTimeout = 5.0
    @Option(help: "/health requests and saves per measurement.") var rounds = 50
    @Option(help: "Socket joins per measurement.") var joins = 10

    static let stormProjects = 20
    static let stormUsers = 200

    func run() async throws {
        let bench = try await BenchServer(server, name: "abuse")
        defer { bench.stop() }
        let viewers = Dictionary(uniqueKeysWithValues: (0..<Self.stormUsers).map { ("storm\($0)", ProjectRole.viewer) })
        let projects = ["bench"] + (1..<Self.stormProjects).map { "storm-\($0)" }
        for project in projects { try bench.createProject(project, members: viewers) }
        try bench.start(arguments: [
            "--max-connections-per-address", "0",
            "--request-header-timeout", String(headerTimeout), "--keep-alive-timeout", String(keepAliveTimeout),
        ], limitsOff: false)
        let user = try await NormalUser.start(bench, project: "bench", field: "system_prompt")
        let port = bench.port
        // Each load is compared with the same user's figures measured just before it, so that the
        // machine's own noise (other processes, the disk's writeback) falls on both alike.
        var unloaded = try await user.measure(rounds: rounds, joins: joins)
        report("unloaded", unloaded, against: nil)

        let slow = try RawCrowd(port: port, count: slowHeaders, sending: "GET /health HTTP/1.1\r\nHost: x\r\n")
        try await Self.waitUntilHolding(slowHeaders, port: port)
        report("under \(slowHeaders) slow-header connections", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        slow.waitUntilClosed(timeout: .seconds(headerTimeout * 3 + 30))
        Report(label: "\(slowHeaders) slow-header connections", figure: slow.closingSummary(slowHeaders), target: "closed after \(Self.seconds(headerTimeout))").print()

        unloaded = try await user.measure(rounds: rounds, joins: joins)
        let idlers = try RawCrowd(port: port, count: idle, sending: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Self.waitUntilHolding(idle, port: port)
        report("under \(idle) idle keep-alive connections", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        idlers.waitUntilClosed(timeout: .seconds(keepAliveTimeout * 3 + 30))
        Report(label: "\(idle) idle keep-alive connections", figure: idlers.closingSummary(idle), target: "closed after \(Self.seconds(keepAliveTimeout))").print()

        let url = { (index: Int) in
            try await bench.socketURL(user: "storm\(index % Self.stormUsers)", session: "storm\(index)", project: projects[index % projects.count])
        }
        var crowd = try await SocketCrowd.open(storm, url: url)
        unloaded = try await user.measure(rounds: rounds, joins: joins)
        crowd.forEach { $0.close() }
        let started = Monotonic.now()
        crowd = []
        for index in 0..<storm { crowd.append(LoadSocket(url: try await url(index))) }
        report("during a reconnect storm of \(storm) sockets", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        try await Self.settle(crowd, port: port)
        let atOnce = crowd.filter(\.isConnected).count
        // Those told to come back later (1013) do, as docs/limits.md tells clients: after a second or more.
        var retries = 0
        while crowd.contains(where: { !$0.isConnected }), retries < 20 {
            retries += 1
            try await Task.sleep(for: .seconds(1))
            for index in crowd.indices where !crowd[index].isConnected {
                crowd[index].close()
                crowd[index] = LoadSocket(url: try await url(index))
            }
            try await Self.settle(crowd, port: port)
        }
        // From the storm's start to the last snapshot (the time the settling took to notice is not counted).
        let took = Double((crowd.compactMap { $0.arrival("SNAPSHOT", field: "") }.max() ?? started) - started) / 1e9
        let joined = crowd.filter(\.isConnected).count
        let refused = retries == 0 ? "none told to come back" : "\(storm - atOnce) told to come back (1013), \(retries) rounds of retries"
        Report(label: "reconnect storm of \(storm) sockets", figure: String(
            format: "%d joined in %.1f s (%.0f joins/s), %@", joined, took, Double(joined) / took, refused
        )).print()
        crowd.forEach { $0.close() }
    }

    /// Waits until the server holds at least `count` connections (its `foundry_connections`), so
    /// that what is measured next is the server holding them, not the server accepting them.
    static func waitUntilHolding(_ count: Int, port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try await metric("foundry_connections", port: port) < Double(count) {
            guard ContinuousClock.now < deadline else { throw BenchFailure("the server did not come to hold \(count) connections") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until every socket has joined or ended. HummingbirdWSClient does not always see the
    /// end of a socket closed right after its upgrade (docs/limits.md: 1013), so a socket that has
    /// not joined once no join waits at the server and nothing changed for 3 s counts as refused.
    static func settle(_ crowd: [LoadSocket], port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        var (joined, since) = (-1, ContinuousClock.now)
        while !crowd.allSatisfy({ $0.isConnected || $0.hasEnded }) {
            guard ContinuousClock.now < deadline else { throw BenchFailure("the storm did not settle") }
            let now = crowd.filter(\.isConnected).count
            if now != joined {
                (joined, since) = (now, ContinuousClock.now)
            } else if ContinuousClock.now - since > .seconds(3), try await metric("foundry_socket_joins_waiting", port: port) == 0 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The value of an unlabelled metric of the server's `/metrics`.
    static func metric(_ name: String, port: Int) async throws -> Double {
        let text = try await Threads.run { try HTTPConnection(port: port).request("GET", "/metrics", token: "").text }
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    private func report(_ condition: String, _ samples: NormalUser.Samples, against unloaded: NormalUser.Samples?) {
        for (operation, figures, base) in [
            ("/health", samples.health, unloaded?.health), ("save", samples.save, unloaded?.save), ("socket join", samples.join, unloaded?.join),
        ] {
            let measured = Percentiles(figures)
            let limit = base.map { base in
                let p50 = Percentiles(base).p50
                return Report.Limit(name: "unloaded p50", figure: Report.milliseconds(p50), ratio: measured.p50 / p50)
            }
            Report(label: "\(operation) \(condition)", figure: measured.summary, limit: limit, target: limit == nil ? nil : "≤ 2×").print()
        }
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%g s", value)
    }
}
