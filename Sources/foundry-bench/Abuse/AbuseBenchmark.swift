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
        let unloaded = try await user.measure(rounds: rounds, joins: joins)
        report("unloaded", unloaded, against: nil)

        let slow = try RawCrowd(port: bench.port, count: slowHeaders, sending: "GET /health HTTP/1.1\r\nHost: x\r\n")
        report("under \(slowHeaders) slow-header connections", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        slow.waitUntilClosed(timeout: .seconds(headerTimeout * 3 + 30))
        Report(label: "\(slowHeaders) slow-header connections", figure: slow.closingSummary(slowHeaders), target: "closed after \(Self.seconds(headerTimeout))").print()

        let idlers = try RawCrowd(port: bench.port, count: idle, sending: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        report("under \(idle) idle keep-alive connections", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        idlers.waitUntilClosed(timeout: .seconds(keepAliveTimeout * 3 + 30))
        Report(label: "\(idle) idle keep-alive connections", figure: idlers.closingSummary(idle), target: "closed after \(Self.seconds(keepAliveTimeout))").print()

        let url = { (index: Int) in
            try await bench.socketURL(user: "storm\(index % Self.stormUsers)", session: "storm\(index)", project: projects[index % projects.count])
        }
        var crowd = try await SocketCrowd.open(storm, url: url)
        crowd.forEach { $0.close() }
        let started = ContinuousClock.now
        crowd = []
        for index in 0..<storm { crowd.append(LoadSocket(url: try await url(index))) }
        report("during a reconnect storm of \(storm) sockets", try await user.measure(rounds: rounds, joins: joins), against: unloaded)
        try await waitUntil("the storm to settle", timeout: .seconds(600)) { crowd.allSatisfy { $0.isConnected || $0.hasEnded } }
        let atOnce = crowd.filter(\.isConnected).count
        // Those told to come back later (1013) do, as docs/limits.md tells clients: after a second or more.
        var retries = 0
        while crowd.contains(where: { !$0.isConnected }), retries < 20 {
            retries += 1
            try await Task.sleep(for: .seconds(1))
            for index in crowd.indices where !crowd[index].isConnected { crowd[index] = LoadSocket(url: try await url(index)) }
            try await waitUntil("the retries to settle", timeout: .seconds(600)) { crowd.allSatisfy { $0.isConnected || $0.hasEnded } }
        }
        let took = ContinuousClock.now - started
        let joined = crowd.filter(\.isConnected).count
        Report(label: "reconnect storm of \(storm) sockets", figure: String(
            format: "%d joined in %.1f s (%.0f joins/s): %d at once, the rest after 1013 and %d rounds of retries",
            joined, took.seconds, Double(joined) / took.seconds, atOnce, retries
        )).print()
        crowd.forEach { $0.close() }
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
