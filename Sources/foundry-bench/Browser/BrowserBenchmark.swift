import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench browser`: the web workspace in two headless Chromium
/// sessions (`scripts/browser-bench`, Selenium): the time from one browser's
/// lock request to the "Being edited by" badge in the other, and the page
/// load on loopback to an interactive project page.
///
/// Needs Debian's `chromium` and `chromium-driver` and Python's `selenium`
/// (`scripts/browser-tests` sets up `.build/browser-venv` with it); prints
/// "not available" without them.
struct BrowserBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browser",
        abstract: "Web workspace in headless Chromium: lock request → badge in another browser, and page load to an interactive project."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Lock → badge rounds.") var rounds = 50
    @Option(help: "Page loads timed.") var loads = 20
    @Option(help: "The Python with selenium (default: .build/browser-venv/bin/python when present, else python3).") var python: String?
    @Option(help: "The browser half of the benchmark.") var script = "scripts/browser-bench"
    @Option(help: "The project the pages open: an agent directory.") var fixture = "fixtures/oncology-agent"

    func run() async throws {
        let python = python ?? (FileManager.default.isExecutableFile(atPath: ".build/browser-venv/bin/python") ? ".build/browser-venv/bin/python" : "python3")
        let badgeLabel = "browser: lock request → badge in another browser"
        let loadLabel = "browser: page load to an interactive project"
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), FileManager.default.fileExists(atPath: script),
              (try? ChildProcess.run([python, "-c", "import selenium"]).status) == 0 else {
            let why = "needs chromium, chromium-driver, \(script) and selenium for \(python)"
            return [badgeLabel, loadLabel].forEach { Report.unavailable($0, why).print() }
        }
        let bench = try await BenchServer(server, name: "browser")
        defer { bench.stop() }
        // The sample agent of the tour (7 fields, 30 KB) when run from the repository, else a small stand-in.
        let fields = (try? AssetDirectory.read(fixture)).map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) } ?? [
            "system_prompt": SampleText.text(bytes: 6_500, seed: 13), "model_config.json": "{\n  \"model\": \"bench\",\n  \"temperature\": 0.1\n}\n",
            "topology.yaml": "entry: router\nnodes:\n  - router\n",
        ]
        try bench.createProject("bench", fields: fields, members: ["first": .editor, "second": .editor])
        try bench.start()
        let output = bench.root + "/browser-bench.json"
        let arguments = [
            python, script, "--base", "http://127.0.0.1:\(bench.port)", "--project", "bench",
            "--first-token", try await bench.token("first", session: "bench-first"), "--second-token", try await bench.token("second", session: "bench-second"),
            "--rounds", String(rounds), "--loads", String(loads),
        ]
        let errors = bench.root + "/browser-bench.log"
        let status = try await Threads.run { try Spawn.wait(try Spawn.start(arguments, output: output, errors: errors)) }
        guard status == 0, let data = FileManager.default.contents(atPath: output),
              let figures = try? JSONDecoder().decode(Figures.self, from: data) else {
            let log = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw BenchFailure("\(script) exited \(status): \(log.suffix(2000))")
        }
        let badges = Percentiles(figures.lockToBadgeMicroseconds.map { UInt64(max($0, 0)) * 1000 })
        Report(label: badgeLabel, figure: "p50 \(Report.milliseconds(badges.p50)), p95 \(Report.milliseconds(badges.milliseconds(95))) over \(badges.count) rounds",
               target: "p95 < 100 ms").print()
        let warm = Percentiles(figures.pageLoadMicroseconds.dropFirst().map { UInt64(max($0, 0)) * 1000 })
        let cold = Double(figures.pageLoadMicroseconds.first ?? 0) / 1000
        Report(label: loadLabel, figure: "first \(Report.milliseconds(cold)), then p50 \(Report.milliseconds(warm.p50)), p95 \(Report.milliseconds(warm.milliseconds(95))) over \(warm.count) loads",
               target: "< 500 ms").print()
    }

    /// What `scripts/browser-bench` prints.
    struct Figures: Decodable {
        var lockToBadgeMicroseconds: [Int]
        var pageLoadMicroseconds: [Int]

        enum CodingKeys: String, CodingKey {
            case lockToBadgeMicroseconds = "lock_to_badge_us"
            case pageLoadMicroseconds = "page_load_us"
        }
    }
}
