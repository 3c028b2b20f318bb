import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench hash`: content hashing (`Digest.sha256`) and blob writes
/// (`BlobStore.put`) in MB/s against GNU `sha256sum` over the same bytes.
struct HashBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "SHA-256 and blob-write throughput against sha256sum on the same data."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Megabytes (MiB) of data.") var megabytes = 256
    @Option(help: "Size of each blob in MiB (the data is stored as several blobs).") var blobMegabytes = 16
    @Option(help: "Repetitions of each measurement (the median is reported).") var repetitions = 3

    func run() async throws {
        let scratch = try server.scratchDirectory("hash")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let data = SampleText.bytes(megabytes << 20, seed: 42)
        let file = scratch + "/data.bin"
        try DurableWrite.replace(data, at: file)

        let limit = try ChildProcess.median(["sha256sum", file], repetitions: repetitions)
        let output = scratch + "/sha256sum.txt"
        _ = try ChildProcess.run(["sha256sum", file], output: output)
        let expected = try String(contentsOfFile: output, encoding: .utf8).prefix(64)
        var inMemory = "", streamed = ""
        let memoryTime = medianTime(repetitions) { inMemory = Digest.sha256(data) }
        let fileTime = try medianTime(repetitions) { streamed = try Digest.sha256(fileAt: file) ?? "" }
        guard inMemory == expected, streamed == expected else { throw BenchFailure("SHA-256 differs from sha256sum: \(inMemory) \(streamed) \(expected)") }

        let blobs = stride(from: 0, to: data.count, by: blobMegabytes << 20).map { data[$0..<min($0 + (blobMegabytes << 20), data.count)] }
        let workspace = try Workspace(root: scratch + "/workspaces")
        var round = 0
        let putTime = try medianTime(repetitions) {
            round += 1
            let store = try workspace.createProject(NewProject(name: "blobs \(round)", id: try ProjectID("blobs-\(round)")), by: BenchServer.owner)
            for blob in blobs { try store.blobs.put(Data(blob)) }
        }
        let writeTime = try medianTime(repetitions) {
            for (index, blob) in blobs.enumerated() { try DurableWrite.replace(Data(blob), at: scratch + "/blob-\(index)") }
        }

        let sha256sum = Report.megabytesPerSecond(bytes: data.count, nanoseconds: limit)
        let limitFigure = Report.rate(sha256sum, "MB/s")
        for (label, time) in [("SHA-256 in memory (Digest.sha256)", memoryTime), ("SHA-256 of the file (Digest.sha256(fileAt:))", fileTime),
                              ("blob writes (BlobStore.put, \(blobMegabytes) MiB each)", putTime)] {
            let rate = Report.megabytesPerSecond(bytes: data.count, nanoseconds: time)
            Report(label: label, figure: Report.rate(rate, "MB/s"), limit: .init(name: "sha256sum", figure: limitFigure, ratio: sha256sum / rate)).print()
        }
        let writeRate = Report.megabytesPerSecond(bytes: data.count, nanoseconds: writeTime)
        Report(label: "write+fsync of the same blobs (no hash)", figure: Report.rate(writeRate, "MB/s")).print()
    }
}
