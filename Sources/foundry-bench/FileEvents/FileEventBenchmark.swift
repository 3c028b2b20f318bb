import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench file-event`: a lock file appears in a project (written by
/// this process, as another process on the root would); how long until a
/// socket has the `LOCK_ACQUIRED` event, against this process's own inotify
/// watch on the same directory seeing the same file.
struct FileEventBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file-event",
        abstract: "File change → WebSocket event, against a bare inotify read of the same change."
    )

    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("sockets"), parsing: .upToNextOption, help: "Sockets on the project, in order (the crowd grows between them).")
    var crowds: [Int] = [1, 100]
    @Option(help: "Files created per crowd size.") var rounds = 200

    func run() async throws {
        let bench = try await BenchServer(server, name: "file-event")
        defer { bench.stop() }
        let probe = try LockFileProbe(store: try bench.createProject("bench", members: ["viewer": .viewer]))
        defer { probe.stop() }
        try bench.start()

        var sockets: [LoadSocket] = []
        defer { sockets.forEach { $0.close() } }
        for crowd in crowds.sorted() {
            let first = sockets.count
            sockets += try await SocketCrowd.open(crowd - first) { index in
                try await bench.socketURL(user: "viewer", session: "viewer\(first + index)", project: "bench")
            }
            var samples: [LockFileProbe.Sample] = []
            for round in 0..<rounds { samples.append(try await probe.measure("file-\(crowd)-\(round)", observer: sockets[0])) }
            Self.report(samples, label: "file → WebSocket event at \(sockets.count) socket\(sockets.count == 1 ? "" : "s")")
        }
    }

    static func report(_ samples: [LockFileProbe.Sample], label: String) {
        let figures = Percentiles(samples.map(\.event))
        let bare = Percentiles(samples.map(\.inotify))
        Report(label: label, figure: figures.summary,
               limit: .init(name: "bare inotify p50", figure: Report.milliseconds(bare.p50) + ", p99 " + Report.milliseconds(bare.p99), ratio: figures.p50 / bare.p50),
               target: "p99 < 5 ms").print()
    }
}
