import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench save`: one editor saving a field whose lock it holds, over
/// HTTP to a real server and straight into `ProjectStore.save`, against
/// writing and fsyncing the same bytes directly. The three are interleaved,
/// one of each per round, so the machine's noise falls on all of them alike.
struct SaveBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save latency and saves/s (lock held) over HTTP and in the store, against write+fsync of the same bytes."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Bytes in the saved field.") var bytes = 4096
    @Option(help: "Saves of each kind.") var saves = 300
    @Option(help: "Members of the project of the crowded saves.") var members = 1000

    func run() async throws {
        let bench = try await BenchServer(server, name: "save")
        defer { bench.stop() }
        let field = try FieldName("system_prompt")
        let body = SampleText.text(bytes: bytes, seed: 7)
        let texts = (0...saves).map { "save \($0)\n" + body }
        let limitDirectory = bench.root + "/limit"
        try FileManager.default.createDirectory(atPath: limitDirectory, withIntermediateDirectories: true)
        let store = try bench.createProject("store", fields: [field.rawValue: texts[0]])
        try store.locks.acquire(field, for: BenchServer.owner, ttl: 3600)
        try bench.createProject("bench", fields: [field.rawValue: texts[0]])
        let crowd = Dictionary(uniqueKeysWithValues: (1..<members).map { ("member\($0)", ProjectRole.editor) })
        try bench.createProject("crowded", fields: [field.rawValue: texts[0]], members: crowd)
        try bench.start()
        let token = try await bench.token()
        let bodies = try (1...saves).map { version in
            try JSONSerialization.data(withJSONObject: ["base_version": version, "fields": [field.rawValue: texts[version]], "keep_locks": true])
        }
        let (port, saves) = (bench.port, saves)

        let rounds = try await Threads.run { () -> SaveRounds in
            let http = try HTTPConnection(port: port)
            for project in ["bench", "crowded"] {
                let lock = try http.request("PUT", "/projects/\(project)/locks/\(field)", token: token)
                guard lock.status == 200 else { throw BenchFailure("lock: \(lock.status) \(lock.text)") }
            }
            var rounds = SaveRounds()
            for version in 1...saves {
                let data = Data(texts[version].utf8)
                rounds.limit.append(try Monotonic.time { try DurableWrite.replace(data, at: limitDirectory + "/system_prompt") })
                let request = SaveRequest(baseVersion: version, fields: [field: texts[version]], keepLocks: true)
                rounds.store.append(try Monotonic.time { _ = try store.save(request, by: BenchServer.owner) })
                var reply: HTTPConnection.Reply?
                rounds.http.append(try Monotonic.time { reply = try http.request("POST", "/projects/bench/drafts", token: token, body: bodies[version - 1]) })
                guard reply?.status == 201, reply?.json["version_number"] as? Int == version + 1 else {
                    throw BenchFailure("save \(version): \(reply?.status ?? 0) \(reply?.text ?? "")")
                }
                rounds.crowded.append(try Monotonic.time { reply = try http.request("POST", "/projects/crowded/drafts", token: token, body: bodies[version - 1]) })
                guard reply?.status == 201 else { throw BenchFailure("crowded save \(version): \(reply?.status ?? 0) \(reply?.text ?? "")") }
            }
            return rounds
        }

        let limit = Percentiles(rounds.limit)
        let kilobytes = "\(bytes / 1024) KB"
        for (label, samples, target) in [("save over HTTP (lock held, \(kilobytes))", rounds.http, "p50 ≤ 2×, p99 ≤ 3×"), ("save in the store, no HTTP (\(kilobytes))", rounds.store, nil)] {
            let figures = Percentiles(samples)
            Report(label: label, figure: figures.summary + "  " + Self.perSecond(samples, "saves/s"),
                   limit: .init(name: "write+fsync p50", figure: Report.milliseconds(limit.p50), ratio: figures.p50 / limit.p50),
                   target: target).print()
            if target != nil {
                Report(label: "  … its p99", figure: Report.milliseconds(figures.p99),
                       limit: .init(name: "write+fsync p99", figure: Report.milliseconds(limit.p99), ratio: figures.p99 / limit.p99)).print()
            }
        }
        Report(label: "write+fsync of the same bytes (the limit)", figure: limit.summary + "  " + Self.perSecond(rounds.limit, "writes/s")).print()
        let http = Percentiles(rounds.http), crowded = Percentiles(rounds.crowded)
        Report(label: "save over HTTP, \(members.formatted()) members (\(kilobytes))", figure: crowded.summary,
               limit: .init(name: "with 1 member p50", figure: Report.milliseconds(http.p50), ratio: crowded.p50 / http.p50),
               target: "≤ 1.2×").print()
    }

    /// Operations per second if they ran back to back.
    static func perSecond(_ samples: [UInt64], _ unit: String) -> String {
        Report.rate(Double(samples.count) / (Double(samples.reduce(0, +)) / 1e9), unit)
    }
}
