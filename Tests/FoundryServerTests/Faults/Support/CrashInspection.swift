import Foundation
import FoundryStore

/// `foundry verify --json` on the files a crash left, before any restart,
/// with what each of its notes promises the next start will do — and,
/// once the server has started again, the check that it did so.
///
/// The facts a check needs after the restart (a lock file's token, a torn
/// audit tail's bytes, a temp file's age) are read here, before the restart
/// changes them.
struct CrashInspection {
    struct Note {
        var state: CrashState
        var path: String
        var message: String
    }

    let status: Int32
    let output: String
    let notes: [Note]
    /// Every finding, as printed (for a failure message).
    let findings: [String]
    private var tokens: [String: Int] = [:]
    private var tornAuditTail: Data?
    private var modified: [String: Date] = [:]
    private var completeConsoleSize: [String: Int] = [:]
    private var tokenCounter: Int?
    private var highestLockToken: Int?
    private var records = 0

    /// Runs `foundry verify --json` on `root` and reads what the checks after the restart need from `directory` (the project).
    init(root: String, directory: String) throws {
        let verify = try run(foundryExecutable, ["verify", "--json", "--root", root])
        status = verify.status
        output = verify.output
        let document = verify.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let all = document?["findings"] as? [[String: Any]] ?? []
        findings = all.map { "\($0["severity"] ?? "?"): \($0["path"] ?? "?"): \($0["message"] ?? "?")" }
        notes = all.compactMap { finding in
            guard let state = (finding["state"] as? String).flatMap(CrashState.init(rawValue:)), let path = finding["path"] as? String else { return nil }
            return Note(state: state, path: path, message: finding["message"] as? String ?? "")
        }
        let layout = ProjectLayout(directory: directory)
        for note in notes {
            switch note.state {
            case .unauditedLockGrant, .unauditedLockRelease, .releasedLockTombstone:
                tokens[note.path] = Self.lockToken(note.path)
            case .tornAuditLine:
                let data = FileManager.default.contents(atPath: note.path) ?? Data()
                tornAuditTail = data.lastIndex(of: 10).map { Data(data[($0 + 1)...]) } ?? data
            case .tempFile, .tempDirectory:
                modified[note.path] = (try? FileManager.default.attributesOfItem(atPath: note.path))?[.modificationDate] as? Date
            case .tornConsoleLine:
                let data = FileManager.default.contents(atPath: note.path) ?? Data()
                completeConsoleSize[note.path] = data.lastIndex(of: 10).map { $0 - data.startIndex + 1 } ?? 0
            case .reservedLockTokens:
                tokenCounter = Self.counter(layout)
            case .tokenCounterBehind:
                highestLockToken = Self.highestLockToken(layout)
            case .manifestBehind:
                records = ((try? FileManager.default.contentsOfDirectory(atPath: layout.drafts)) ?? []).filter { !$0.hasPrefix(".") }.count
            default:
                break
            }
        }
    }

    /// Problems with the crash state itself: `verify` must exit 0 on any state a crash leaves.
    var problems: [String] {
        status == 0 ? [] : ["foundry verify on the crashed files (before the restart) exited \(status):\n\(findings.joined(separator: "\n"))\n\(output.suffix(2000))"]
    }

    /// Whether any note says the next start appends an audit entry (which cuts a torn tail off first).
    private var startAppends: Bool {
        notes.contains { [.unauditedVersion, .unauditedAnnotation, .unauditedLockGrant, .unauditedLockRelease, .unauditedRunStart, .unauditedRunEnd, .unauditedMemberChange, .unauditedFreeze].contains($0.state) }
    }

    /// Checks that the start at `restarted` did with each noted state what the note said.
    func problemsAfterRestart(directory: String, restarted: Date) -> [String] {
        let layout = ProjectLayout(directory: directory)
        let trail = AuditTrailFile(path: layout.audit)
        let fm = FileManager.default
        var problems: [String] = []
        for note in notes {
            let said = "verify said \(note.state.rawValue) for \(note.path), "
            switch note.state {
            case .unauditedVersion:
                let version = Int((note.path as NSString).lastPathComponent.prefix(6)) ?? -1
                let id = fm.contents(atPath: note.path).map(Digest.sha256)
                if !trail.entries.contains(where: { ($0["type"] as? String)?.hasPrefix("draft.") == true && $0["version"] as? Int == version && trail.isRecovered($0) && trail.data($0)["draft_id"] as? String == id }) {
                    problems.append(said + "yet the start recorded no draft entry for v\(version) marked recorded_at_recovery with its draft id")
                }
            case .manifestBehind:
                let head = fm.contents(atPath: layout.manifest).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["head_version"] as? Int
                if head != records { problems.append(said + "yet after the start the manifest's head is \(head ?? -1), not \(records)") }
            case .unauditedAnnotation:
                let file = note.path.components(separatedBy: "/").suffix(2).joined(separator: "/")
                let hash = fm.contents(atPath: note.path).map(Digest.sha256)
                if !trail.entries.contains(where: { trail.data($0)["file"] as? String == file && trail.data($0)["sha256"] as? String == hash && trail.isRecovered($0) }) {
                    problems.append(said + "yet the start recorded no entry for \(file) marked recorded_at_recovery")
                }
            case .unauditedLockGrant:
                if !trail.has("lock.acquired", token: tokens[note.path], recovered: true) { problems.append(said + "yet the start recorded no lock.acquired #\(tokens[note.path] ?? -1) marked recorded_at_recovery") }
            case .unauditedLockRelease:
                if !trail.has("lock.released", token: tokens[note.path], recovered: true) { problems.append(said + "yet the start recorded no lock.released #\(tokens[note.path] ?? -1) marked recorded_at_recovery") }
                if fm.fileExists(atPath: note.path) { problems.append(said + "yet its tombstone is still there after the start") }
            case .releasedLockTombstone:
                if fm.fileExists(atPath: note.path) { problems.append(said + "yet the tombstone is still there after the start") }
            case .reservedLockTokens:
                let now = Self.counter(layout)
                if (now ?? -1) < (tokenCounter ?? 0) { problems.append(said + "yet the counter went from \(tokenCounter ?? -1) back to \(now ?? -1)") }
            case .tokenCounterBehind:
                let now = Self.counter(layout)
                if (now ?? -1) < (highestLockToken ?? 0) { problems.append(said + "yet after the start the counter is \(now ?? -1), behind lock #\(highestLockToken ?? -1) on disk") }
            case .tornAuditLine:
                let repaired = trail.entries.contains { $0["type"] as? String == "audit.repaired" && trail.data($0)["dropped_sha256"] as? String == tornAuditTail.map(Digest.sha256) }
                let text = fm.contents(atPath: layout.audit) ?? Data()
                let stillTorn = tornAuditTail.map { !$0.isEmpty && text.suffix($0.count) == $0 && text.last != 10 } ?? false
                if startAppends, !repaired { problems.append(said + "and the start appended entries, yet no audit.repaired names the torn bytes") }
                if !repaired, !stillTorn { problems.append(said + "yet the torn bytes are neither repaired (audit.repaired) nor still there") }
            case .tempFile, .tempDirectory:
                guard let modified = modified[note.path] else { continue }
                let age = restarted.timeIntervalSince(modified)
                let exists = fm.fileExists(atPath: note.path)
                if age > 610, exists { problems.append(said + "\(Int(age)) s old at the start, yet still there") }
                if age < 590, !exists { problems.append(said + "only \(Int(age)) s old at the start, yet removed") }
            case .orphanBlob:
                if !fm.fileExists(atPath: note.path) { problems.append(said + "yet the start removed the blob") }
            case .unauditedRunStart, .unauditedRunEnd:
                let run = note.path.components(separatedBy: "/").dropLast().last ?? ""
                let types = note.state == .unauditedRunStart ? ["run.started"] : ["run.finished", "run.cancelled", "run.lost"]
                if !trail.entries.contains(where: { types.contains($0["type"] as? String ?? "") && trail.data($0)["run"] as? String == run && trail.isRecovered($0) }) {
                    problems.append(said + "yet the start recorded no \(types[0]) for \(run) marked recorded_at_recovery")
                }
            case .tornConsoleLine:
                let size = (try? fm.attributesOfItem(atPath: note.path))?[.size] as? Int
                if size != completeConsoleSize[note.path] { problems.append(said + "yet after the start the console is \(size ?? -1) bytes, not cut to \(completeConsoleSize[note.path] ?? -1)") }
            case .unauditedMemberChange, .unauditedFreeze:
                let types = note.state == .unauditedFreeze ? ["project.frozen"] : ["member.set", "member.removed"]
                if !trail.entries.contains(where: { types.contains($0["type"] as? String ?? "") && trail.isRecovered($0) }) {
                    problems.append(said + "yet the start recorded no \(types.joined(separator: "/")) marked recorded_at_recovery")
                }
            case .bundleWithoutFreeze:
                if !fm.fileExists(atPath: note.path) { problems.append(said + "yet the bundle is gone after the start") }
            }
        }
        return problems
    }

    /// The states a running server's files may show (the others are all finished by a start).
    static let survivingAStart: Set<CrashState> = [.tempFile, .tempDirectory, .orphanBlob, .reservedLockTokens, .tornAuditLine, .bundleWithoutFreeze]

    private static func lockToken(_ path: String) -> Int? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["token"] as? Int
    }

    /// The largest token of the lock files and tombstones in `locks/`.
    private static func highestLockToken(_ layout: ProjectLayout) -> Int? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.locks)) ?? []
        return names.filter { $0 != ".token" && !$0.hasPrefix(".tmp") }.compactMap { lockToken(layout.locks + "/" + $0) }.max()
    }

    private static func counter(_ layout: ProjectLayout) -> Int? {
        FileManager.default.contents(atPath: layout.locks + "/.token").flatMap { Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// `audit.jsonl` read as plain JSON lines (what an auditor's `jq` sees).
struct AuditTrailFile {
    let entries: [[String: Any]]

    init(path: String) {
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        entries = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func data(_ entry: [String: Any]) -> [String: Any] { entry["data"] as? [String: Any] ?? [:] }

    func isRecovered(_ entry: [String: Any]) -> Bool { data(entry)["recorded_at_recovery"] as? Bool == true }

    func has(_ type: String, token: Int?, recovered: Bool) -> Bool {
        entries.contains { $0["type"] as? String == type && data($0)["token"] as? Int == token && (!recovered || isRecovered($0)) }
    }
}
