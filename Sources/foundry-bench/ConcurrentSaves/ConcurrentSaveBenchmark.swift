import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench concurrent`: many editors saving at once for a while, each
/// holding the lock of its own field, all in one project (their saves
/// serialize on the project's mutex) and each in a project of its own. The
/// limit is as many threads of this process writing and fsyncing the same
/// bytes at once, in one directory and in one directory each.
struct ConcurrentSaveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concurrent",
        abstract: "Saves/s with 50 concurrent editors on 50 fields of one project and on 50 projects."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Concurrent editors.") var editors = 50
    @Option(help: "Seconds each measurement runs.") var seconds = 10.0
    @Option(help: "Bytes in each saved field.") var bytes = 4096

    func run() async throws {
        let bench = try await BenchServer(server, name: "concurrent")
        defer { bench.stop() }
        let text = SampleText.text(bytes: bytes, seed: 11)
        let editorRoles = Dictionary(uniqueKeysWithValues: (0..<editors).map { ("editor\($0)", ProjectRole.editor) })
        try bench.createProject("shared", fields: Dictionary(uniqueKeysWithValues: (0..<editors).map { ("field-\($0)", text) }), members: editorRoles)
        for editor in 0..<editors { try bench.createProject("project-\(editor)", fields: ["field-\(editor)": text], members: ["editor\(editor)": .editor]) }
        try bench.start()
        var tokens: [String] = []
        for editor in 0..<editors { tokens.append(try await bench.token("editor\(editor)")) }

        for shared in [true, false] {
            let limitDirectory = bench.root + "/limit-\(shared ? "shared" : "apart")"
            let limit = try await Self.durableWrites(threads: editors, seconds: seconds, data: Data(text.utf8)) { thread in
                let directory = shared ? limitDirectory : limitDirectory + "/\(thread)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                return directory + "/field-\(thread)"
            }
            let run = try await EditorLoop(port: bench.port, tokens: tokens, text: text, seconds: seconds) { editor in
                (project: shared ? "shared" : "project-\(editor)", field: "field-\(editor)")
            }.run()
            let rate = Double(run.saves) / seconds
            let label = shared ? "\(editors) editors, \(editors) fields of one project" : "\(editors) editors on \(editors) projects"
            let place = shared ? "one directory" : "\(editors) directories"
            Report(label: label, figure: Report.rate(rate, "saves/s") + "  " + Percentiles(run.latencies).summary + (run.refused > 0 ? "  (\(run.refused) refused: \(run.firstRefusal ?? ""))" : ""),
                   limit: .init(name: "\(editors) threads write+fsync in \(place)", figure: Report.rate(limit, "writes/s"), ratio: limit / rate)).print()
        }
    }

    /// Writes per second of `threads` threads each replacing its own file durably for `seconds`.
    static func durableWrites(threads: Int, seconds: Double, data: Data, path: @escaping @Sendable (Int) throws -> String) async throws -> Double {
        let deadline = Monotonic.now() + UInt64(seconds * 1e9)
        let counts = try await Threads.run(threads) { thread -> Int in
            let file = try path(thread)
            var count = 0
            while Monotonic.now() < deadline {
                try DurableWrite.replace(data, at: file)
                count += 1
            }
            return count
        }
        return Double(counts.reduce(0, +)) / seconds
    }
}
