import Foundation
import FoundryStore

/// The kill loop itself, synchronous: run it on a Dispatch thread.
final class KillLoop: Sendable {
    struct Report: Sendable {
        var rounds = 0
        var startupKills = 0
        var requests = 0
        var savesAcknowledged = 0
        var versionsAcknowledged = 0
        var locksAcknowledged = 0
        var headVersion = 0
        var leftovers: [String] = []
        var tornAuditLines = 0
        var auditedAtRecovery = 0
        /// Notes `foundry verify` printed on the crashed files, in all rounds, by state.
        var crashNotes = 0
        var crashStates: [String: Int] = [:]
        var seconds = 0.0
        var problems: [String] = []

        var summary: String {
            "kill loop: \(rounds) rounds (\(startupKills) extra kills during startup), \(requests) requests, " +
                "\(savesAcknowledged) saves and \(versionsAcknowledged) versions acknowledged in all, \(locksAcknowledged) locks granted, " +
                "head v\(headVersion), \(crashNotes) crash-state note(s) from verify before the restart \(crashStates.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), \(tornAuditLines) torn audit line(s) repaired, \(auditedAtRecovery) version(s) audited at recovery, \(leftovers.count) temp leftovers ignored \(Dictionary(grouping: leftovers) { ($0 as NSString).deletingLastPathComponent.components(separatedBy: "/").suffix(2).joined(separator: "/") }.mapValues(\.count)), \(String(format: "%.1f", seconds)) s, \(problems.count) problem(s)"
        }
    }

    static let project = "crash"
    static let workers: [(user: String, field: String)] = [
        ("alice", "agent/w0.txt"), ("bob", "agent/w1.txt"), ("carol", "tests/w2.jsonl"), ("bob", "w3"),
    ]
    let root: String
    let seed: UInt64
    let tokens: [String: String]
    let lockTTL = 2.0

    init(root: String, seed: UInt64, tokens: [String: String]) {
        self.root = root
        self.seed = seed
        self.tokens = tokens
    }

    var directory: String { root + "/" + Self.project }

    func run(rounds: Int) throws -> Report {
        let started = Date()
        var random = SeededRandom(seed: seed)
        var report = Report()
        var server = try ServerProcess(root: root, lockTTL: lockTTL)
        defer { server.kill() }
        try createProject(port: server.port)
        var acknowledged: [Acknowledgement] = []
        var versionOwners: [Int: Int] = [:]
        var lockTokens: Set<Int> = []

        // A client's session usually outlives a server crash (the IDE tab reconnects and
        // keeps its locks); now and then it is a new tab, and the old session's locks must expire.
        var sessions = Self.workers.indices.map { "w\($0)-s0" }
        for round in 1...rounds {
            let head = try BlockingHTTP.request(port: server.port, "GET", "/projects/\(Self.project)", token: tokens["alice"]).json["head_version"] as? Int ?? 1
            for index in sessions.indices where Int.random(in: 0..<4, using: &random) == 0 { sessions[index] = "w\(index)-s\(round)" }
            let workers = LoadWorker.crew(sessions: sessions, tokens: tokens, port: server.port, seed: seed, round: round, knownHead: head)
            let stop = StopFlag()
            let group = LoadWorker.start(workers, until: stop)
            let delay = Int.random(in: 20...700, using: &random)
            usleep(UInt32(delay * 500))
            // `foundry verify` beside a live, writing server must not report damage that is not there.
            let concurrent = try verifyRoot(root)
            usleep(UInt32(delay * 500))
            if !server.isRunning { report.problems.append("round \(round): the server died on its own:\n\(server.log.suffix(3000))") }
            server.kill(SIGKILL)
            stop.set()
            group.wait()
            // `foundry verify` on the files exactly as the crash left them: exit 0, every interrupted change a note.
            var crashed = try CrashInspection(root: root, directory: directory)
            var problems = crashed.problems
            if Int.random(in: 0..<6, using: &random) == 0 {
                // A kill during startup: recovery itself is interrupted, and what it leaves is a crash state too.
                let early = try ServerProcess(root: root, lockTTL: lockTTL, logName: "startup-kill", waitUntilListening: false)
                usleep(UInt32(Int.random(in: 0...60_000, using: &random)))
                early.kill(SIGKILL)
                report.startupKills += 1
                crashed = try CrashInspection(root: root, directory: directory)
                problems += crashed.problems.map { "after a kill during startup: " + $0 }
            }
            let restarted = Date()
            server = try ServerProcess(root: root, lockTTL: lockTTL)
            problems += crashed.problemsAfterRestart(directory: directory, restarted: restarted)
            report.crashNotes += crashed.notes.count
            for note in crashed.notes { report.crashStates[note.state.rawValue, default: 0] += 1 }

            let acks = workers.flatMap(\.acknowledgements)
            report.requests += workers.reduce(0) { $0 + $1.requests }
            problems += check(acks, port: server.port)
            if concurrent.status != 0 { problems.append("foundry verify during the load exited \(concurrent.status):\n\(concurrent.output)") }
            problems += unauditedLocks(acks, in: directory)
            for ack in acks {
                if let version = ack.version {
                    if let other = versionOwners[version] { problems.append("version \(version) acknowledged twice (rounds \(other) and \(round))") }
                    versionOwners[version] = round
                }
                if case .lockGranted(let field, _, let token, _) = ack {
                    if !lockTokens.insert(token).inserted { problems.append("fencing token \(token) granted twice (field \(field))") }
                }
            }
            acknowledged += acks
            let (halfWritten, leftovers) = halfWrittenFiles(in: directory)
            problems += halfWritten
            if round % 10 == 0 || round == rounds { problems += try leaseCheck(port: server.port, restarted: restarted, round: round) }
            report.leftovers = leftovers
            report.problems += problems.map { "round \(round) (killed after \(delay) ms): \($0)" }
            let saves = acks.filter { if case .saved = $0 { true } else { false } }.count
            let notes = acks.filter { if case .commented = $0 { true } else if case .output = $0 { true } else { false } }.count
            let signed = acks.filter { if case .signed = $0 { true } else { false } }.count
            print("kill loop round \(round): killed after \(delay) ms, \(saves) saves, \(notes) comments and output lines, \(signed) signatures, \(acks.count) acknowledgements, \(leftovers.count) temp leftovers, \(problems.count) problem(s)")
            report.rounds = round
        }

        report.problems += try finalChecks(acknowledged, server: server)
        report.savesAcknowledged = acknowledged.filter { if case .saved = $0 { true } else { false } }.count
        report.versionsAcknowledged = versionOwners.count
        report.locksAcknowledged = lockTokens.count
        report.headVersion = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/drafts").filter { !$0.hasPrefix(".") }.count) ?? 0
        let audit = String(decoding: FileManager.default.contents(atPath: directory + "/audit.jsonl") ?? Data(), as: UTF8.self)
        report.tornAuditLines = audit.components(separatedBy: "\"type\":\"audit.repaired\"").count - 1
        report.auditedAtRecovery = audit.components(separatedBy: "\"recorded_at_recovery\":true").count - 1
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func createProject(port: Int) throws {
        try Self.createProject(port: port, token: tokens["alice"])
    }

    /// The project the load works on: a field per worker and the contended one; alice owns it, bob and carol edit.
    static func createProject(port: Int, token: String?) throws {
        var fields: [String: String] = [LoadWorker.sharedField: "shared\n"]
        for worker in Self.workers { fields[worker.field] = "initial text of \(worker.field)\n" }
        let reply = try BlockingHTTP.request(port: port, "POST", "/projects", token: token, body: .json([
            "name": "Crash test", "id": Self.project, "fields": fields, "members": ["bob": "editor", "carol": "editor"],
        ]))
        guard reply.status == 201 else { throw HTTPFailure.truncated("project creation: \(reply.status) \(reply.text)") }
    }

    /// `foundry verify` on the restarted root, every promise of this round on disk, and each saved field read back over HTTP.
    private func check(_ acks: [Acknowledgement], port: Int) -> [String] {
        var problems: [String] = []
        do {
            let verify = try CrashInspection(root: root, directory: directory)
            if verify.status != 0 { problems.append("foundry verify after the restart exited \(verify.status):\n\(verify.output.suffix(3000))") }
            for note in verify.notes where !CrashInspection.survivingAStart.contains(note.state) {
                problems.append("after the restart verify still notes \(note.state.rawValue) at \(note.path): the start should have finished it")
            }
        } catch {
            problems.append("foundry verify did not run: \(error)")
        }
        for ack in acks {
            problems += ack.problems(in: directory)
            guard case .saved(let version, let field, let bytes, _, _) = ack else { continue }
            let reply = try? BlockingHTTP.request(port: port, "GET", "/projects/\(Self.project)/drafts/\(version)/fields/\(field)", token: tokens["bob"])
            if reply?.status != 200 || reply?.body != bytes {
                problems.append("GET v\(version) \(field) after restart: \(reply?.status ?? 0), \(reply?.body.count ?? -1) bytes, sent \(bytes.count)")
            }
        }
        return problems
    }

    /// Every tenth round: with no load, once the server has run for a lease
    /// and a margin, no lock from before the kill is left on disk (the
    /// reaper ended it) and a new session takes every field.
    private func leaseCheck(port: Int, restarted: Date, round: Int) throws -> [String] {
        let wait = lockTTL + 1.5 - Date().timeIntervalSince(restarted)
        if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        var problems: [String] = []
        let remaining = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/locks")) ?? []).filter { $0.hasSuffix(".lock") && !$0.hasPrefix(".") }
        if !remaining.isEmpty { problems.append("locks still on disk \(lockTTL + 1.5) s after the restart: \(remaining)") }
        for field in Self.workers.map(\.field) + [LoadWorker.sharedField] {
            let acquired = try BlockingHTTP.request(port: port, "PUT", "/projects/\(Self.project)/locks/\(field)", token: tokens["carol"], session: "lease-check-\(round)")
            if acquired.status != 200 { problems.append("a new session cannot lock \(field): \(acquired.status) \(acquired.text)") }
            _ = try BlockingHTTP.request(port: port, "DELETE", "/projects/\(Self.project)/locks/\(field)", token: tokens["carol"], session: "lease-check-\(round)")
        }
        return problems
    }

    /// After the last round: every promise of every round again, and a clean
    /// verify after a graceful stop.
    private func finalChecks(_ acknowledged: [Acknowledgement], server: ServerProcess) throws -> [String] {
        var problems = acknowledged.flatMap { $0.problems(in: directory) }.map { "final: \($0)" }
        let stopped = server.kill(SIGTERM)
        if stopped.reason != .exit { problems.append("final: SIGTERM ended the server by signal \(stopped.status)") }
        let verify = try verifyRoot(root)
        if verify.status != 0 { problems.append("final: foundry verify exited \(verify.status):\n\(verify.output)") }
        return problems
    }
}
