import Foundation

/// The hook after each audit append: when the trail reaches a multiple of
/// the notary's `checkpointEvery` entries, a checkpoint is written at once
/// (the project mutex is still held). Every other entry is left to the
/// server's timer (`Workspace.checkpointPending`), which seals what
/// was appended within the minute.
///
/// A checkpoint that cannot be written (a full disk) is not an error of the
/// change just made: the entry stays pending and the timer tries again.
struct CheckpointTrigger: AuditObserver {
    let notary: Notary
    let layout: ProjectLayout
    let project: ProjectID

    func appended(_ entry: AuditEntry, lineSHA256: String) {
        let head = AuditHead(entries: entry.seq, sha256: lineSHA256)
        guard notary.appended(head, to: project) else { return }
        if (try? CheckpointLog(layout: layout).writeLocked(head, project: project, key: notary.key, now: Date())) != nil {
            notary.sealed(project, through: head.entries)
        }
    }
}
