import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench console`: a run whose runner prints many lines, watched by
/// several sockets: MB/s of runner output delivered to every socket, and how
/// late the last line arrives (the runner stamps it with the wall clock).
///
/// Needs the runs feature (`foundry serve --runner`, `POST /projects/{id}/runs`,
/// `CONSOLE_OUTPUT` frames); prints "not available" while the server lacks it.
struct ConsoleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Console streaming: MB/s of runner output delivered to 10 sockets and the lag of the last line."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Sockets watching the run.") var sockets = 10
    @Option(help: "Megabytes (MiB) the runner prints.") var megabytes = 10
    @Option(help: "Bytes per printed line, newline included.") var lineBytes = 100

    func run() async throws {
        let label = "console: \(megabytes) MiB of runner output to \(sockets) sockets"
        let bench = try await BenchServer(server, name: "console")
        defer { bench.stop() }
        try bench.createProject("bench", members: ["viewer": .viewer])
        let lines = (megabytes << 20) / lineBytes
        let runner = bench.root + "/runner.sh"
        try """
            #!/bin/sh
            yes '\(String(repeating: "x", count: lineBytes - 1))' | head -n \(lines)
            echo "END $(date +%s%N)"

            """.write(toFile: runner, atomically: true, encoding: .utf8)
        chmod(runner, 0o755)
        do {
            try bench.start(arguments: ["--runner", runner, "--run-log-cap", String((megabytes + 1) << 20)])
        } catch let failure as ServerProcess.StartFailure {
            return Report.unavailable(label, "foundry serve --runner: " + (failure.log.split(separator: "\n").first.map(String.init) ?? "did not start")).print()
        }

        let tally = ConsoleTally(count: sockets)
        let crowd = try await SocketCrowd.open(sockets, observer: tally.observer) { index in
            try await bench.socketURL(user: "viewer", session: "console\(index)", project: "bench")
        }
        defer { crowd.forEach { $0.close() } }
        let token = try await bench.token()
        let port = bench.port
        let start = Monotonic.now()
        let reply = try await Threads.run { try HTTPConnection(port: port).request("POST", "/projects/bench/runs", token: token, json: [:]) }
        guard (200..<300).contains(reply.status) else {
            if [404, 405, 409].contains(reply.status) { return Report.unavailable(label, "POST /projects/{id}/runs answered \(reply.status)").print() }
            throw BenchFailure("POST /projects/bench/runs: \(reply.status) \(reply.text)")
        }
        try await waitUntil("the last console line at every socket", timeout: .seconds(300)) {
            tally.snapshot.allSatisfy { $0.endArrival != nil } || crowd.contains(where: \.hasEnded)
        }
        guard !crowd.contains(where: \.hasEnded) else { throw BenchFailure("a socket was closed during the run") }
        let received = tally.snapshot
        let last = received.compactMap(\.endArrival).max()! - start
        let output = lines * lineBytes
        let perSocket = Report.megabytesPerSecond(bytes: output, nanoseconds: last)
        let delivered = Report.megabytesPerSecond(bytes: received.map(\.bytes).reduce(0, +), nanoseconds: last)
        let lag = Percentiles(received.compactMap(\.lag))
        let short = received.filter { $0.bytes < output }.count
        Report(label: label,
               figure: Report.rate(perSocket, "MB/s") + " per socket, " + Report.rate(delivered, "MB/s") + " delivered in all; last line "
                   + Report.milliseconds(lag.milliseconds(100)) + " late at the slowest socket (" + Report.milliseconds(lag.p50) + " median)"
                   + (short > 0 ? "; \(short) sockets got less than all output" : "")).print()
    }
}
