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
        let store = try bench.createProject("bench", members: ["viewer": .viewer])
        try bench.start()
        let probe = try InotifyProbe(directory: store.layout.locks)
        defer { probe.stop() }

        var sockets: [LoadSocket] = []
        defer { sockets.forEach { $0.close() } }
        for crowd in crowds.sorted() {
            let first = sockets.count
            sockets += try await SocketCrowd.open(crowd - first) { index in
                try await bench.socketURL(user: "viewer", session: "viewer\(first + index)", project: "bench")
            }
            let observer = sockets[0]
            var samples: [UInt64] = []
            var limit: [UInt64] = []
            for round in 0..<rounds {
                let field = "file-\(crowd)-\(round)"
                let final = store.layout.lock(try FieldName(field))
                let lock = FieldLock(field: field, user: "outsider", session: "outsider", token: 1_000_000 + crowd * rounds + round,
                                     acquiredAt: Timestamp.string(from: Date()), expiresAt: Timestamp.string(from: Date().addingTimeInterval(600)))
                let temp = store.layout.locks + "/" + FileIO.tempPrefix + "bench-\(round)"
                try JSONEncoder().encode(lock).write(to: URL(fileURLWithPath: temp))
                let start = Monotonic.now()
                guard link(temp, final) == 0 else { throw BenchFailure("link \(final): errno \(errno)") }
                unlink(temp)
                let name = (final as NSString).lastPathComponent
                try await waitUntil("event for \(field)") { observer.arrival("LOCK_ACQUIRED", field: field) != nil && probe.arrival(name) != nil }
                samples.append(observer.arrival("LOCK_ACQUIRED", field: field)! - start)
                limit.append(probe.arrival(name)! - start)
                unlink(final)
                try await waitUntil("release of \(field)") { observer.arrival("LOCK_RELEASED", field: field) != nil }
            }
            let figures = Percentiles(samples)
            let bare = Percentiles(limit)
            Report(label: "file → WebSocket event at \(sockets.count) socket\(sockets.count == 1 ? "" : "s")", figure: figures.summary,
                   limit: .init(name: "bare inotify p50", figure: Report.milliseconds(bare.p50) + ", p99 " + Report.milliseconds(bare.p99), ratio: figures.p50 / bare.p50),
                   target: "p99 < 5 ms").print()
        }
    }
}
