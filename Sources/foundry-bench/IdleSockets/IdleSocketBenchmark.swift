import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench idle`: the server's resident memory holding many idle
/// authenticated sockets spread over projects.
struct IdleSocketBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "Server resident memory with 10,000 idle authenticated sockets."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Idle sockets to open.") var sockets = 10_000
    @Option(help: "Projects the sockets are spread over (presence is per project).") var projects = 100
    @Option(help: "Distinct viewer users per project (each socket is its own session).") var users = 20

    func run() async throws {
        let bench = try await BenchServer(server, name: "idle")
        defer { bench.stop() }
        let viewers = Dictionary(uniqueKeysWithValues: (0..<users).map { ("viewer\($0)", ProjectRole.viewer) })
        for project in 0..<projects { try bench.createProject("idle-\(project)", members: viewers) }
        try bench.start()
        try await Task.sleep(for: .seconds(1))
        guard let process = bench.process else { return }
        let empty = process.residentMegabytes()
        let opened = ContinuousClock.now
        let (projects, users) = (projects, users)
        let crowd = try await SocketCrowd.open(sockets) { index in
            try await bench.socketURL(user: "viewer\((index / projects) % users)", session: "idle\(index)", project: "idle-\(index % projects)")
        }
        defer { crowd.forEach { $0.close() } }
        let took = ContinuousClock.now - opened
        try await Task.sleep(for: .seconds(2))
        let resident = process.residentMegabytes()
        let perSocket = (resident - empty) * 1024 / Double(max(crowd.count, 1))
        Report(label: "\(crowd.count) idle authenticated sockets, \(projects) projects",
               figure: String(format: "RSS %.0f MB (%.0f MB empty, %.1f KB per socket; opened in %.1f s)", resident, empty, perSocket, took.seconds),
               target: "< 300 MB at 10,000").print()
    }
}
