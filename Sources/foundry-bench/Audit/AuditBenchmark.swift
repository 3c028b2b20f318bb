import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench audit`: a page of 10 audit entries over HTTP from a
/// project whose trail has 100,000 entries, against the same page from one
/// with 100: the first page, the newest page, and a page deep inside
/// (`after=`). The two are interleaved, one of each per round.
struct AuditBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "GET …/audit?limit=10 at 100,000 entries against the same at 100 entries."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Entries in the long trail.") var entries = 100_000
    @Option(help: "Entries in the short trail.") var short = 100
    @Option(help: "Requests of each kind.") var requests = 300

    func run() async throws {
        let bench = try await BenchServer(server, name: "audit")
        defer { bench.stop() }
        for (project, count) in [("long", entries), ("short", short)] {
            let store = try bench.createProject(project)
            // Submitted without waiting for each: the group commit flushes them in a few rounds.
            var last: Pending<AuditEntry>?
            let existing = try store.audit.page(AuditQuery(limit: 1, newestFirst: true)).entries.first?.seq ?? 0
            for index in existing..<count {
                last = store.submitRecord(AuditEvent(.socketConnected, by: BenchServer.owner, data: ["connection": .string("bench-\(index)")]))
            }
            _ = try last?.wait()
        }
        try bench.start()
        let token = try await bench.token()
        let (port, requests, entries, short) = (bench.port, requests, entries, short)
        let queries = [
            ("first page", "limit=10", "limit=10"),
            ("newest page", "limit=10&order=newest", "limit=10&order=newest"),
            ("page deep inside", "limit=10&after=\(entries - 20)", "limit=10&after=\(short - 20)"),
        ]
        let samples = try await Threads.run { () -> [(long: [UInt64], short: [UInt64])] in
            let http = try HTTPConnection(port: port)
            var samples = [(long: [UInt64], short: [UInt64])](repeating: ([], []), count: queries.count)
            for _ in 0..<requests {
                for (index, query) in queries.enumerated() {
                    for (project, text) in [("long", query.1), ("short", query.2)] {
                        var reply: HTTPConnection.Reply?
                        let took = try Monotonic.time { reply = try http.request("GET", "/projects/\(project)/audit?\(text)", token: token) }
                        guard reply?.status == 200, (reply?.json["entries"] as? [Any])?.count == 10 else {
                            throw BenchFailure("audit \(project) \(text): \(reply?.status ?? 0) \(reply?.text.prefix(200) ?? "")")
                        }
                        if project == "long" { samples[index].long.append(took) } else { samples[index].short.append(took) }
                    }
                }
            }
            return samples
        }
        for (index, query) in queries.enumerated() {
            let long = Percentiles(samples[index].long), shortFigures = Percentiles(samples[index].short)
            Report(label: "audit ?limit=10, \(query.0), \(entries.formatted()) entries", figure: long.summary,
                   limit: .init(name: "at \(short) entries p50", figure: Report.milliseconds(shortFigures.p50), ratio: long.p50 / shortFigures.p50),
                   target: "≤ 2×").print()
        }
    }
}
