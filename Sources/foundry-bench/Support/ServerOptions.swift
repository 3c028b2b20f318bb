import ArgumentParser
import Foundation

/// Where the server comes from and where it runs: shared by every benchmark
/// that starts one, and passed on by `all`.
struct ServerOptions: ParsableArguments {
    @Option(help: "The foundry executable to start (default: the one beside this tool).")
    var foundry: String?
    @Option(help: "Pin the server to this CPU (taskset) and this tool to the others.")
    var serverCpu: Int?
    @Option(help: "Directory for the scratch workspace roots (default: the temp directory); put it on the disk the workspaces live on.")
    var scratch: String?

    /// These options as command-line arguments, for `all` to pass on.
    var arguments: [String] {
        (foundry.map { ["--foundry", $0] } ?? []) + (serverCpu.map { ["--server-cpu", String($0)] } ?? []) + (scratch.map { ["--scratch", $0] } ?? [])
    }

    var executable: String {
        foundry ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("foundry").path
    }

    /// A new empty directory under the scratch directory.
    func scratchDirectory(_ name: String) throws -> String {
        let parent = scratch ?? NSTemporaryDirectory()
        let path = (parent as NSString).appendingPathComponent("foundry-bench-\(name)-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
