import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench concurrent`: many editors saving at once for a while, each
/// holding the lock of its own field, all in one project (their saves
/// serialize on the project's mutex) and each in a project of its own. The
/// limit is as many threads of this process writing and fsyncing the same
/// bytes at once, in one directory and in one directory each. Meanwhile,
/// in another project, a lock file appears every 20 ms and a reader asks for
/// the manifest every 20 ms: how long the event takes to reach a socket, and
/// the read to be answered, while the server is busy saving.
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
        let probe = try LockFileProbe(store: try bench.createProject("watch", members: ["viewer": .viewer]))
        defer { probe.stop() }
        try bench.start()
        let observer = LoadSocket(url: try await bench.socketURL(user: "viewer", session: "watch", project: "watch"))
        defer { observer.close() }
        try await waitUntil("the watching socket") { observer.isConnected }
        let viewerToken = try await bench.token("viewer")
        var tokens: [String] = []
        for editor in 0..<editors { tokens.append(try await bench.token("editor\(editor)")) }

        for shared in [true, false] {
            let limitDirectory = bench.root + "/limit-\(shared ? "shared" : "apart")"
            let limit = try await Self.durableWrites(threads: editors, seconds: seconds, data: Data(text.utf8)) { thread in
                let directory = shared ? limitDirectory : limitDirectory + "/\(thread)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                return directory + "/field-\(thread)"
            }
            let loop = EditorLoop(port: bench.port, tokens: tokens, text: text, seconds: seconds) { editor in
                (project: shared ? "shared" : "project-\(editor)", field: "field-\(editor)")
            }
            let deadline = ContinuousClock.now + .seconds(seconds)
            async let saving = loop.run()
            let port = bench.port
            async let reading = Self.reads(port: port, token: viewerToken, until: Monotonic.now() + UInt64((seconds - 0.5) * 1e9))
            try await Task.sleep(for: .milliseconds(500))
            var events: [LockFileProbe.Sample] = []
            while ContinuousClock.now < deadline - .milliseconds(500) {
                events.append(try await probe.measure("during-\(shared)-\(events.count)", observer: observer))
                try await Task.sleep(for: .milliseconds(20))
            }
            let run = try await saving
            let reads = Percentiles(try await reading)
            let rate = Double(run.saves) / seconds
            let label = shared ? "\(editors) editors, \(editors) fields of one project" : "\(editors) editors on \(editors) projects"
            let place = shared ? "one directory" : "\(editors) directories"
            Report(label: label, figure: Report.rate(rate, "saves/s") + "  " + Percentiles(run.latencies).summary + (run.refused > 0 ? "  (\(run.refused) refused: \(run.firstRefusal ?? ""))" : ""),
                   limit: .init(name: "\(editors) threads write+fsync in \(place)", figure: Report.rate(limit, "writes/s"), ratio: limit / rate),
                   target: shared ? "≥ 50 % of the limit (≤ 2×)" : "≥ 30 % of the limit (≤ 3.3×)").print()
            FileEventBenchmark.report(events, label: "  file → event in another project meanwhile")
            Report(label: "  GET of another project's manifest meanwhile", figure: reads.summary).print()
        }
    }

    /// Latencies of `GET /projects/watch`, one every 20 ms from 0.5 s on until `deadline`.
    static func reads(port: Int, token: String, until deadline: UInt64) async throws -> [UInt64] {
        try await Threads.run {
            let http = try HTTPConnection(port: port)
            usleep(500_000)
            var samples: [UInt64] = []
            while Monotonic.now() < deadline {
                var status = 0
                samples.append(try Monotonic.time { status = try http.request("GET", "/projects/watch", token: token).status })
                guard status == 200 else { throw BenchFailure("GET /projects/watch: \(status)") }
                usleep(20_000)
            }
            return samples
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
