import Foundation

extension Verifier {
    /// Every version has one `draft.*` entry naming its record's id, in
    /// version order. A version is written before its entry, and under the
    /// project mutex nothing else is written in between, so the only
    /// versions a crash leaves without an entry are the newest ones, and no
    /// later line of the trail can name them. A version without an entry
    /// below an audited one, or one that a later line names (a comment's
    /// anchor, a run, a freeze, the release of a lock it was saved under), or
    /// one saved under a lock the trail never granted, is a line removed from
    /// the trail: damage.
    func verifyVersionTrail(_ layout: ProjectLayout, records: [StoredDraft], trail: AuditTrail, into report: inout VerificationReport) {
        guard trail.exists else {
            if !records.isEmpty { report.damage(layout.audit, "missing: \(records.count) version(s) have no audit trail") }
            return
        }
        var audited: [Int: AuditTrail.DraftEntry] = [:]
        var newest = 0
        for entry in trail.draftEntries {
            let version = entry.version
            if let first = audited[version] {
                report.damage(layout.audit, "line \(entry.line) records version \(version) a second time (first at line \(first.line))")
                continue
            }
            audited[version] = entry
            if version < newest {
                report.damage(layout.audit, "line \(entry.line) records version \(version) after version \(newest): the entries are out of order")
            }
            newest = max(newest, version)
            if version > records.count || version < 1 {
                report.damage(layout.draft(version), "line \(entry.line) records this version, whose record is missing or not intact")
            } else if entry.draftID != records[version - 1].id {
                report.damage(layout.draft(version), "its audit entry (line \(entry.line)) names draft id \(entry.draftID), the record hashes to \(records[version - 1].id)")
            }
        }
        // A save names the fencing tokens of its locks, each granted (and recorded) before the save began.
        for draft in records {
            for (field, token) in draft.record.lockTokens.sorted(by: { $0.key < $1.key }) where trail.grants[token] == nil {
                let missing = audited[draft.record.versionNumber] == nil ? "has no audit entry in audit.jsonl, and " : ""
                report.damage(layout.draft(draft.record.versionNumber), "\(missing)was saved under lock #\(token) of \(field), which the trail never records as granted: lines were removed from the trail")
            }
        }
        for draft in records where audited[draft.record.versionNumber] == nil && draft.record.lockTokens.values.allSatisfy({ trail.grants[$0] != nil }) {
            let record = draft.record
            let path = layout.draft(record.versionNumber)
            if record.versionNumber < newest {
                report.damage(path, "has no audit entry in audit.jsonl while the later version \(newest) has one (line \(audited[newest]!.line)): the entry was removed from the trail")
            } else if let line = trail.draftIDsNamed[draft.id] {
                report.damage(path, "has no audit entry in audit.jsonl, yet line \(line) names its draft id: the entry was removed from the trail")
            } else if let (token, line) = record.lockTokens.values.sorted().lazy.compactMap({ token in trail.releases[token]?.first.map { (token, $0) } }).first {
                report.damage(path, "has no audit entry in audit.jsonl, yet line \(line) releases lock #\(token) it was saved under: the entry was removed from the trail")
            } else {
                trail.interrupted(.unauditedVersion, path, "version \(record.versionNumber) (\(record.kind.rawValue) by \(record.authorID)) has no audit entry yet: a change stopped between its record and its audit line, never acknowledged", into: &report)
            }
        }
    }
}
