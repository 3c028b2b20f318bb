import ArgumentParser

/// `foundry-bench`: each benchmark of issue #7 prints its figure next to the
/// limit it is measured against, in the same run on the same machine and
/// data, as a ratio, and the target. A release build measures what ships:
/// `swift build -c release --product foundry --product foundry-bench`.
@main
struct FoundryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foundry-bench",
        abstract: "Benchmarks of a real foundry server and store, each against the limit it is measured by.",
        subcommands: [AllBenchmarks.self as any ParsableCommand.Type] + AllBenchmarks.benchmarks.map { $0.command as any ParsableCommand.Type }
    )
}
