import Foundation
import FoundryStore
#if canImport(Glibc)
import Glibc
#endif

/// The power-loss loop, synchronous (run it on a Dispatch thread): the real
/// `foundry serve` on a `PowerLossMount` under the kill loop's write load;
/// each round pulls the plug (SIGKILL, then everything not yet durable is
/// thrown away and the durable state mounted again), runs `foundry verify`
/// on what is left, restarts the server and checks every promise made so far.
final class PowerLossLoop: Sendable {
    struct Report: Sendable {
        var rounds = 0
        var acknowledgements = 0
        var saves = 0
        /// What the cuts threw away (the canaries' bytes included), summed.
        var droppedBytes = 0
        var droppedNames = 0
        var droppedDirectories = 0
        var crashNotes: [String: Int] = [:]
        var problems: [String] = []

        var summary: String {
            "power loss: \(rounds) cuts, \(acknowledgements) acknowledgements (\(saves) saves) kept; the cuts dropped \(droppedBytes) unsynced byte(s), " +
                "\(droppedNames) name(s) and the unsynced entries of \(droppedDirectories) directorie(s); verify's notes \(crashNotes.sorted { $0.key < $1.key }); \(problems.count) problem(s)"
        }
    }

    let mount: PowerLossMount
    let seed: UInt64
    let tokens: [String: String]
    let logs: String

    init(mount: PowerLossMount, seed: UInt64, tokens: [String: String], logs: String) {
        self.mount = mount
        self.seed = seed
        self.tokens = tokens
        self.logs = logs
    }

    var root: String { mount.path + "/ws" }
    var directory: String { root + "/" + KillLoop.project }

    func run(rounds: Int) throws -> Report {
        var random = SeededRandom(seed: seed)
        var report = Report()
        var server = try ServerProcess(root: root, lockTTL: 2, logDirectory: logs)
        defer { server.kill() }
        try KillLoop.createProject(port: server.port, token: tokens["alice"])
        var acknowledged: [Acknowledgement] = []
        for round in 1...rounds {
            let head = try BlockingHTTP.request(port: server.port, "GET", "/projects/\(KillLoop.project)", token: tokens["alice"]).json["head_version"] as? Int ?? 1
            let sessions = KillLoop.workers.indices.map { "w\($0)-s\(round)" }
            let workers = LoadWorker.crew(sessions: sessions, tokens: tokens, port: server.port, seed: seed, round: round, knownHead: head)
            let stop = StopFlag()
            let group = LoadWorker.start(workers, until: stop)
            // The cut comes at a random moment after the round's first acknowledged save (a condition the
            // load reaches however slow the machine is; the deadline only turns a stuck server into a failure).
            let delay = Int.random(in: 0...600, using: &random)
            let deadline = Date().addingTimeInterval(120)
            while workers.allSatisfy({ $0.savesAcknowledged.load(ordering: .relaxed) == 0 }), Date() < deadline, server.isRunning { usleep(5_000) }
            usleep(UInt32(delay * 1000))
            // A canary the cut must take: bytes never synced, whatever the server's own writes make durable.
            let canary = mount.path + "/canary-\(round)"
            let fd = open(canary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd >= 0 {
                _ = "never synced \(round)\n".withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
            server.kill(SIGKILL)
            stop.set()
            group.wait()
            let acks = workers.flatMap(\.acknowledgements)
            acknowledged += acks

            // What every process saw before the cut; then the cut.
            let seen = FileManager.default.contents(atPath: directory + "/audit.jsonl") ?? Data()
            let dropped = try mount.crash()
            report.droppedBytes += dropped["unsynced_bytes"] as? Int ?? 0
            report.droppedNames += dropped["names_lost"] as? Int ?? 0
            report.droppedDirectories += dropped["directories_with_unsynced_entries"] as? Int ?? 0

            let crashed = try CrashInspection(root: root, directory: directory)
            var problems = crashed.problems
            if let kept = FileManager.default.contents(atPath: canary), !kept.isEmpty {
                problems.append("the cut kept \(canary)'s \(kept.count) unsynced byte(s): the simulator did not drop what was not durable")
            }
            for note in crashed.notes { report.crashNotes[note.state.rawValue, default: 0] += 1 }
            let restarted = Date()
            server = try ServerProcess(root: root, lockTTL: 2, logDirectory: logs)
            problems += crashed.problemsAfterRestart(directory: directory, restarted: restarted)
            problems += acknowledged.flatMap { $0.problems(in: directory) }
            problems += unauditedLocks(acknowledged, in: directory)
            problems += Self.auditPrefixKept(acks, seen: seen, now: FileManager.default.contents(atPath: directory + "/audit.jsonl") ?? Data())
            let verify = try CrashInspection(root: root, directory: directory)
            if verify.status != 0 { problems.append("foundry verify after the restart exited \(verify.status):\n\(verify.findings.joined(separator: "\n"))") }
            if !acks.contains(where: { if case .saved = $0 { true } else { false } }) { problems.append("no save was acknowledged within 120 s") }
            report.problems += problems.map { "round \(round) (cut \(delay) ms after the first save, dropped \(dropped)): \($0)" }
            report.rounds = round
            print("power loss round \(round): cut \(delay) ms after the first save, \(acks.count) acknowledgements, dropped \(dropped), \(crashed.notes.count) note(s), \(problems.count) problem(s)")
        }
        report.acknowledgements = acknowledged.count
        report.saves = acknowledged.filter { if case .saved = $0 { true } else { false } }.count
        return report
    }

    /// The audit line of every acknowledged change of the round, as the
    /// server wrote it before the cut, is in the trail after it, byte for byte,
    /// at the same line number. The lines are hash-chained, so keeping the
    /// newest acknowledged line keeps every line before it as well: the check
    /// compares the whole prefix up to it.
    static func auditPrefixKept(_ acks: [Acknowledgement], seen: Data, now: Data) -> [String] {
        let seenLines = seen.split(separator: 10, omittingEmptySubsequences: false)
        let entries = seenLines.map { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        func line(_ matches: ([String: Any], [String: Any]) -> Bool) -> Int? {
            entries.firstIndex { entry in entry.map { matches($0, $0["data"] as? [String: Any] ?? [:]) } ?? false }
        }
        var problems: [String] = []
        var newest = -1
        for ack in acks {
            let found: Int?
            switch ack {
            case .saved(let version, _, _, _, _), .versionCreated(let version, _, _, _, _):
                found = line { entry, _ in (entry["type"] as? String)?.hasPrefix("draft.") == true && entry["version"] as? Int == version }
            case .lockGranted(_, _, let token, _):
                found = line { entry, data in entry["type"] as? String == "lock.acquired" && data["token"] as? Int == token }
            case .lockReleased(_, let token):
                found = line { entry, data in entry["type"] as? String == "lock.released" && data["token"] as? Int == token }
            case .commented(let id, _, _, _):
                found = line { entry, data in entry["type"] as? String == "comment.created" && data["comment_id"] as? String == id }
            case .signed(let file, _, _, _, _, _):
                found = line { entry, data in entry["type"] as? String == "signature.added" && data["file"] as? String == file }
            case .output:
                continue
            }
            guard let found else {
                problems.append("acknowledged \(ack) has no audit line even in the trail the server wrote before the cut")
                continue
            }
            newest = max(newest, found)
        }
        guard newest >= 0 else { return problems }
        let kept = seenLines[...newest].map { Data($0) + Data([10]) }.reduce(Data(), +)
        if now.prefix(kept.count) != kept {
            problems.append("the first \(newest + 1) audit line(s), up to the newest acknowledged change's, differ after the cut from what the server wrote")
        }
        return problems
    }
}
