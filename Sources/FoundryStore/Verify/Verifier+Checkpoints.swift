import Foundation

extension Verifier {
    /// Checks `checkpoints/` and the audit trail against them: checkpoints
    /// numbered without a gap, each signed by a trusted server key, of this
    /// project, chained (`prev`), never counting fewer entries than the one
    /// before; and the trail still reaches every checkpoint with the same
    /// line. A trail cut after its last checkpoint, or edited before it, is
    /// damage naming the checkpoint.
    func verifyCheckpoints(_ layout: ProjectLayout, id: ProjectID, keys: SigningKeySet?, into report: inout VerificationReport) {
        let log = CheckpointLog(layout: layout)
        guard let numbers = recordNumbers(in: layout.checkpoints, of: "checkpoints", into: &report) else { return }
        let lines = ((try? AuditLog(path: layout.audit).entries()) ?? []).filter(\.complete)
        var previous: StoredCheckpoint?
        var trailProblem = false
        for (index, sequence) in numbers.enumerated() {
            let path = layout.checkpoint(sequence)
            guard sequence == index + 1 else {
                report.damage(path, "checkpoint \(index + 1) is missing before it")
                return
            }
            guard let stored = try? log.checkpoint(sequence) else {
                report.damage(path, "not a readable checkpoint")
                return
            }
            report.checkpointsChecked += 1
            let payload = stored.payload
            for problem in Self.serverSignatureProblems(stored.data, as: CheckpointRecord.self, keys: keys) {
                report.damage(path, problem)
            }
            if payload.seq != sequence { report.damage(path, "says it is checkpoint \(payload.seq), its file name says \(sequence)") }
            if payload.projectID != id.rawValue { report.damage(path, "is a checkpoint of project \(payload.projectID), not of \(id)") }
            if payload.prev != (previous?.sha256 ?? AuditEntry.genesis) { report.damage(path, "prev \(payload.prev) is not the SHA-256 of the checkpoint before it") }
            if let previous, payload.auditEntries < previous.payload.auditEntries {
                report.damage(path, "counts \(payload.auditEntries) audit entries, fewer than the \(previous.payload.auditEntries) of the checkpoint before it")
            }
            if !trailProblem, let problem = Self.trailProblem(lines, reaching: payload, file: path) {
                report.damage(layout.audit, problem)
                trailProblem = true
            }
            previous = stored
        }
        if keys == nil { Self.missingKeysNote(numbers.count, of: "checkpoint(s)", in: layout.checkpoints, into: &report) }
    }

    /// Why the trail `lines` no longer holds what `checkpoint` saw, if it does not.
    static func trailProblem(_ lines: [AuditLine], reaching checkpoint: CheckpointPayload, file: String) -> String? {
        let seen = "\((file as NSString).lastPathComponent) (made at \(checkpoint.madeAt)) saw \(checkpoint.auditEntries) entries"
        guard checkpoint.auditEntries <= lines.count else {
            return "cut: the trail has \(lines.count) entries, but checkpoint \(seen); entries \(lines.count + 1)-\(checkpoint.auditEntries) were removed"
        }
        guard checkpoint.auditEntries > 0 else { return nil }
        let line = lines[checkpoint.auditEntries - 1]
        if Digest.sha256(line.bytes + Data("\n".utf8)) != checkpoint.auditHead {
            return "line \(checkpoint.auditEntries) does not hash to the audit_head of checkpoint \(seen): the trail was rewritten"
        }
        return nil
    }
}
