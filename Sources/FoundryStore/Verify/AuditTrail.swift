import Foundation

/// A project's `audit.jsonl` read once for `verify`: the chain checked line
/// by line, and what its intact lines record, by kind, with their line
/// numbers (every other check asks "is there an entry for this, and where").
struct AuditTrail {
    struct DraftEntry {
        var line: Int
        var version: Int
        var draftID: String
    }

    var exists = false
    /// The first line that breaks the chain (reported as damage); the facts
    /// below come from every readable line all the same.
    var broken: Int?
    /// SHA-256 of each complete line with its newline, by line number.
    var lineHashes: [Int: String] = [:]
    var draftEntries: [DraftEntry] = []
    /// `comments/000003.json` → the line recording it and the SHA-256 it names.
    var annotationFiles: [String: (line: Int, sha256: String)] = [:]
    /// Fencing token → line and field of its `lock.acquired` entry.
    var grants: [Int: (line: Int, field: String)] = [:]
    /// Fencing token → the lines of its `lock.released` entries.
    var releases: [Int: [Int]] = [:]
    /// The highest fencing token any entry names (grants, releases, denials' holders).
    var highestToken = 0
    var runsStarted: [String: Int] = [:]
    var runsEnded: [String: Int] = [:]
    var frozenAt: Int?
    /// Members as `project.created` and the `member.*` entries after it give them; `nil` without `project.created`.
    var members: [String: ProjectRole]?
    /// Draft id → the first line that names it outside its own `draft.*`
    /// entry (a comment's anchor, a run, a freeze): proof the record existed before that line.
    var draftIDsNamed: [String: Int] = [:]
    /// Fencing token → the first line naming it.
    var tokenLines: [Int: Int] = [:]

    /// Reads and chain-checks `layout`'s trail, reporting each break and a torn tail.
    init(_ layout: ProjectLayout, into report: inout VerificationReport) {
        let path = layout.audit
        guard FileIO.exists(path) else { return }
        exists = true
        var previousHash = AuditEntry.genesis
        for line in (try? AuditLog(path: path).entries()) ?? [] {
            guard line.complete else {
                report.interrupted(.tornAuditLine, path, "the last \(line.bytes.count) byte(s) are a line without its newline (an append cut short, never acknowledged)")
                break
            }
            let hash = Digest.sha256(line.bytes + Data("\n".utf8))
            defer { previousHash = hash }
            lineHashes[line.number] = hash
            guard let entry = line.entry else {
                breaks(at: line.number, "line \(line.number) is not a readable audit entry", path, into: &report)
                continue
            }
            if entry.seq != line.number {
                breaks(at: line.number, "line \(line.number) has seq \(entry.seq): an entry was removed, inserted or moved", path, into: &report)
            } else if entry.prev != previousHash {
                breaks(at: line.number, "line \(line.number): prev \(entry.prev) is not the SHA-256 of line \(line.number - 1) (\(previousHash)); the line before was edited or the order changed", path, into: &report)
            }
            record(entry, line: line.number)
        }
    }

    /// Reports the first break of the chain; the lines after it are still
    /// read for what they record, but no missing entry can then be told from
    /// a removed one (`interrupted` reports damage instead of a note).
    private mutating func breaks(at line: Int, _ message: String, _ path: String, into report: inout VerificationReport) {
        guard broken == nil else { return }
        broken = line
        report.damage(path, message)
    }

    /// A note for a change whose audit entry is missing — damage when the trail is missing or its chain broken.
    func interrupted(_ state: CrashState, _ path: String, _ what: String, into report: inout VerificationReport) {
        let subject = what.range(of: ": ", options: .backwards).map { String(what[..<$0.lowerBound]) } ?? what
        if !exists {
            report.damage(path, "\(subject), and the project has no audit.jsonl (every project starts it with project.created)")
        } else if let broken {
            report.damage(path, "\(subject), and the audit trail is broken at line \(broken): a missing entry cannot be told from a removed one")
        } else {
            report.interrupted(state, path, what)
        }
    }

    private mutating func record(_ entry: AuditEntry, line: Int) {
        let data = entry.data
        let type = entry.type
        if type.rawValue.hasPrefix("draft."), let version = entry.version, let id = data["draft_id"]?.string {
            draftEntries.append(DraftEntry(line: line, version: version, draftID: id))
        } else if let id = data["draft_id"]?.string, draftIDsNamed[id] == nil {
            draftIDsNamed[id] = line
        }
        if let file = data["file"]?.string, let hash = data["sha256"]?.string {
            annotationFiles[file] = (line, hash)
        }
        if let token = data["token"]?.int {
            highestToken = max(highestToken, token)
            if tokenLines[token] == nil { tokenLines[token] = line }
            if type == .lockAcquired, let field = data["field"]?.string { grants[token] = (line, field) }
            if type == .lockReleased { releases[token, default: []].append(line) }
        }
        if let run = data["run"]?.string {
            if type == .runStarted { runsStarted[run] = line }
            if type == .runFinished || type == .runCancelled || type == .runLost { runsEnded[run] = line }
        }
        switch type {
        case .projectCreated: members = [:]
        case .memberSet:
            if let user = data["member"]?.string, let role = data["role"]?.string.flatMap(ProjectRole.init(rawValue:)) { members?[user] = role }
        case .memberRemoved:
            if let user = data["member"]?.string { members?[user] = nil }
        case .projectFrozen: frozenAt = frozenAt ?? line
        default: break
        }
    }
}
