import ArgumentParser
import Foundation
import FoundryStore

/// `foundry-bench tarball`: the reproducible `.tar.gz` of a version of a
/// large project, downloaded over HTTP, against `tar czf` of the same files.
///
/// Needs the archive route (`GET /projects/{id}/drafts/{n}/archive.tar.gz`);
/// prints "not available" while the server answers 404.
struct TarballBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tarball",
        abstract: "Reproducible tarball of a 50 MB project over HTTP, against tar czf of the same files."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Megabytes (MiB) of field text in the project.") var megabytes = 50
    @Option(help: "Fields the text is spread over.") var fields = 50
    @Option(help: "Repetitions of each measurement (the median is reported).") var repetitions = 3

    func run() async throws {
        let label = "tarball of a \(megabytes) MB project (\(fields) fields)"
        let bench = try await BenchServer(server, name: "tarball")
        defer { bench.stop() }
        let export = bench.root + "/export"
        var contents: [String: String] = [:]
        for index in 0..<fields {
            let name = "docs/part-\(index).txt"
            let text = SampleText.text(bytes: (megabytes << 20) / fields, seed: UInt64(100 + index))
            contents[name] = text
            try FileManager.default.createDirectory(atPath: export + "/docs", withIntermediateDirectories: true)
            try text.write(toFile: export + "/" + name, atomically: false, encoding: .utf8)
        }
        try bench.createProject("bench", fields: contents)
        contents = [:]
        try bench.start()
        let token = try await bench.token()
        let (port, repetitions) = (bench.port, repetitions)
        let path = "/projects/bench/drafts/1/archive.tar.gz"

        let (status, time, bodies) = try await Threads.run { () -> (Int, UInt64, [Data]) in
            let http = try HTTPConnection(port: port)
            var bodies: [Data] = []
            var status = 200
            let time = try medianTime(repetitions) {
                let reply = try http.request("GET", path, token: token)
                if reply.status == 200 { bodies.append(reply.body) } else { status = reply.status }
            }
            return (status, time, bodies)
        }
        guard status == 200, let body = bodies.first else {
            if status == 404 { return Report.unavailable(label, "GET \(path) answered 404").print() }
            throw BenchFailure("GET \(path) answered \(status)")
        }
        let reproducible = bodies.allSatisfy { $0 == body } ? "same bytes each time" : "DIFFERENT bytes between downloads"
        let downloaded = bench.root + "/archive.tar.gz"
        try body.write(to: URL(fileURLWithPath: downloaded))
        let listing = bench.root + "/listing.txt"
        let listed = try ChildProcess.run(["tar", "-tzf", downloaded], output: listing)
        let entries = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n").filter { $0.hasSuffix(".txt") }.count
        guard listed.status == 0 else { throw BenchFailure("tar -tzf of the archive exited \(listed.status)") }

        let limit = try ChildProcess.median(["tar", "czf", bench.root + "/limit.tar.gz", "-C", export, "."], repetitions: repetitions)
        let figure = Report.milliseconds(Double(time) / 1e6) + String(format: " (%.0f MB/s of text, %d KB gzip, %d .txt entries, %@)",
                                                                      Report.megabytesPerSecond(bytes: megabytes << 20, nanoseconds: time), body.count / 1024, entries, reproducible)
        Report(label: label, figure: figure,
               limit: .init(name: "tar czf", figure: Report.milliseconds(Double(limit) / 1e6), ratio: Double(time) / Double(limit)),
               target: "≤ 1.5×").print()
    }
}
