import ArgumentParser
@testable import foundry_bench
import Testing

/// `foundry-bench` is run by hand, not by the test suite (timings on a shared
/// machine are no test); these only check that every subcommand parses.
@Suite struct BenchArgumentTests {
    @Test func everyBenchmarkParsesItsDefaultsAndTheSharedServerOptions() throws {
        for (name, _) in AllBenchmarks.benchmarks {
            let parsed = try FoundryBench.parseAsRoot([name, "--foundry", "/usr/bin/foundry", "--server-cpu", "0", "--scratch", "/tmp"])
            #expect(parsed is any AsyncParsableCommand, "\(name)")
        }
        #expect(Set(AllBenchmarks.benchmarks.map(\.name)).count == AllBenchmarks.benchmarks.count)
    }

    @Test func listOptionsTakeSeveralValues() throws {
        let lock = try #require(try FoundryBench.parseAsRoot(["lock", "--sockets", "10", "20", "--rounds", "3"]) as? LockBenchmark)
        #expect(lock.crowds == [10, 20] && lock.rounds == 3)
        let all = try #require(try FoundryBench.parseAsRoot(["all", "--skip", "idle", "console"]) as? AllBenchmarks)
        #expect(all.skip == ["idle", "console"])
        #expect(throws: (any Error).self) { try FoundryBench.parseAsRoot(["all", "--skip", "nonsense"]) }
    }

    @Test func serverOptionsSurviveTheTripThroughAll() throws {
        let all = try #require(try FoundryBench.parseAsRoot(["all", "--server-cpu", "1", "--scratch", "/var/tmp"]) as? AllBenchmarks)
        let save = try SaveBenchmark.parse(all.server.arguments)
        #expect(save.server.serverCpu == 1 && save.server.scratch == "/var/tmp" && save.server.foundry == nil)
    }

    @Test func percentilesUseTheNearestRank() {
        let samples = Percentiles((1...100).map { UInt64($0) * 1_000_000 })
        #expect(samples.p50 == 50 && samples.p99 == 99 && samples.milliseconds(100) == 100)
    }

    @Test func aReportLineNamesTheLimitRatioAndTarget() {
        let line = Report(label: "save", figure: "p50 1.00 ms", limit: .init(name: "write+fsync p50", figure: "0.50 ms", ratio: 2), target: "≤ 2×").line
        #expect(line.hasSuffix("p50 1.00 ms | limit: write+fsync p50 0.50 ms → 2.0× (target ≤ 2×)"))
    }
}
