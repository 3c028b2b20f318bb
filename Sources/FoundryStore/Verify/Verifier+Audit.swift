import Foundation

extension Verifier {
    /// Checks `audit.jsonl`: every line parses, numbers itself (`seq` = line
    /// number) and names the SHA-256 of the line before it; every version has
    /// a `draft.*` entry naming its record's id. An edited, reordered or
    /// truncated file fails at its first bad line.
    func verifyAudit(_ layout: ProjectLayout, records: [StoredDraft], into report: inout VerificationReport) {
        let path = layout.audit
        guard let data = try? FileIO.read(path) else {
            if !records.isEmpty { report.damage(path, "missing: \(records.count) version(s) have no audit trail") }
            return
        }
        if !data.isEmpty, data.last != UInt8(ascii: "\n") {
            report.note(path, "the last line is incomplete (an append interrupted by a crash); the next change repairs it")
        }
        var previousHash = AuditEntry.genesis
        var draftIDs: [Int: String] = [:]
        for line in (try? AuditLog(path: path).entries()) ?? [] {
            let hash = Digest.sha256(line.bytes + Data("\n".utf8))
            defer { previousHash = hash }
            if !line.complete { break }
            guard let entry = line.entry else {
                report.damage(path, "line \(line.number) is not a readable audit entry")
                return
            }
            guard entry.seq == line.number else {
                report.damage(path, "line \(line.number) has seq \(entry.seq): an entry was removed, inserted or moved")
                return
            }
            guard entry.prev == previousHash else {
                report.damage(path, "line \(line.number): prev \(entry.prev) is not the SHA-256 of line \(line.number - 1) (\(previousHash)); the line before was edited or the order changed")
                return
            }
            if entry.type.rawValue.hasPrefix("draft."), let version = entry.version, let id = entry.data["draft_id"]?.string {
                draftIDs[version] = id
            }
        }
        for draft in records {
            let version = draft.record.versionNumber
            guard let id = draftIDs[version] else {
                report.damage(layout.draft(version), "has no audit entry in audit.jsonl (the trail was truncated, or the record added behind the server's back)")
                continue
            }
            if id != draft.id { report.damage(layout.draft(version), "its audit entry names draft id \(id), the record hashes to \(draft.id)") }
        }
    }
}
