import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench lock`: a socket sends `LOCK_ACQUIRE`; how long until every
/// other socket of the project has `LOCK_ACQUIRED`, at each crowd size.
/// The limit is the lock's own disk work: `LockTable.acquire` called in this
/// process on another project, one per round, interleaved with the rounds.
struct LockBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Lock acquire → LOCK_ACQUIRED at every other socket (100 and 1,000 sockets), against the store's acquire alone."
    )

    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("sockets"), parsing: .upToNextOption, help: "Crowd sizes, in order (the crowd grows between them).")
    var crowds: [Int] = [100, 1000]
    @Option(help: "Acquire/release rounds per crowd size.") var rounds = 200
    @Option(help: "Distinct viewer users the sockets belong to (each socket is its own session).") var users = 20

    func run() async throws {
        let bench = try await BenchServer(server, name: "lock")
        defer { bench.stop() }
        let viewers = Dictionary(uniqueKeysWithValues: (0..<users).map { ("viewer\($0)", ProjectRole.viewer) })
        try bench.createProject("bench", members: viewers)
        let limitStore = try bench.createProject("limit")
        try bench.start()

        let actor = LoadSocket(url: try await bench.socketURL(user: "bench", session: "actor", project: "bench"))
        try await waitUntil("the acting socket") { actor.isConnected }
        var listeners: [LoadSocket] = []
        defer { (listeners + [actor]).forEach { $0.close() } }
        for crowd in crowds.sorted() {
            let (users, first) = (users, listeners.count)
            listeners += try await SocketCrowd.open(crowd - first) { index in
                try await bench.socketURL(user: "viewer\((first + index) % users)", session: "listener\(first + index)", project: "bench")
            }
            var samples: [UInt64] = []
            var limit: [UInt64] = []
            for round in 0..<rounds {
                let field = "lock-\(crowd)-\(round)"
                let name = try FieldName(field)
                limit.append(try Monotonic.time { try limitStore.locks.acquire(name, for: BenchServer.owner, ttl: 60) })
                try limitStore.locks.release(name, by: BenchServer.owner)
                let start = Monotonic.now()
                actor.send(#"{"type": "LOCK_ACQUIRE", "field": "\#(field)"}"#)
                try await waitUntil("LOCK_ACQUIRED \(field)") { listeners.allSatisfy { $0.arrival("LOCK_ACQUIRED", field: field) != nil } }
                samples += listeners.compactMap { $0.arrival("LOCK_ACQUIRED", field: field).map { $0 - start } }
                actor.send(#"{"type": "LOCK_RELEASE", "field": "\#(field)"}"#)
                try await waitUntil("LOCK_RELEASED \(field)") { listeners.allSatisfy { $0.arrival("LOCK_RELEASED", field: field) != nil } }
            }
            let figures = Percentiles(samples)
            let disk = Percentiles(limit)
            Report(label: "lock acquire → LOCK_ACQUIRED at \(listeners.count) sockets", figure: figures.summary,
                   limit: .init(name: "store acquire p50", figure: Report.milliseconds(disk.p50), ratio: figures.p50 / disk.p50),
                   target: crowd == 100 ? "p99 < 3 ms alone, < 5 ms in all" : nil).print()
        }
    }
}
