import ArgumentParser
import Foundation

/// `foundry-bench all`: every benchmark once with its defaults, one after
/// the other, each with a server of its own; a failing one is reported and
/// the rest still run.
struct AllBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every benchmark with its defaults.")

    /// Each benchmark by subcommand name, in the order `all` runs them (the heaviest last).
    static var benchmarks: [(name: String, command: any AsyncParsableCommand.Type)] {
        [
            ("hash", HashBenchmark.self), ("diff", DiffBenchmark.self), ("save", SaveBenchmark.self), ("audit", AuditBenchmark.self),
            ("concurrent", ConcurrentSaveBenchmark.self), ("lock", LockBenchmark.self), ("join", JoinBenchmark.self), ("file-event", FileEventBenchmark.self),
            ("console", ConsoleBenchmark.self), ("tarball", TarballBenchmark.self), ("browser", BrowserBenchmark.self), ("idle", IdleSocketBenchmark.self),
            ("abuse", AbuseBenchmark.self),
        ]
    }

    @OptionGroup var server: ServerOptions
    @Option(parsing: .upToNextOption, help: "Benchmarks to leave out (by subcommand name).") var skip: [String] = []

    func validate() throws {
        let unknown = Set(skip).subtracting(Self.benchmarks.map(\.name))
        guard unknown.isEmpty else { throw ValidationError("unknown benchmark(s): \(unknown.sorted().joined(separator: ", "))") }
    }

    func run() async throws {
        let info = ProcessInfo.processInfo
        print("foundry-bench all: \(info.activeProcessorCount) cores, \(info.physicalMemory >> 30) GiB, \(info.operatingSystemVersionString)")
        var failed: [String] = []
        for (name, type) in Self.benchmarks where !skip.contains(name) {
            let started = ContinuousClock.now
            do {
                var benchmark = try type.parse(server.arguments)
                try await benchmark.run()
            } catch {
                print("\(name): FAILED: \(error)")
                failed.append(name)
            }
            print(String(format: "  (%@ took %.0f s)", name, (ContinuousClock.now - started).seconds))
        }
        if !failed.isEmpty { throw BenchFailure("failed: \(failed.joined(separator: ", "))") }
    }
}
