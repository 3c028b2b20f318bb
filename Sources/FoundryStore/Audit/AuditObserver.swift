/// Told of each entry appended to an audit trail, with the project mutex
/// still held and the line written — durable once the change's group commit
/// round has run, so whatever the observer writes that names the line must
/// flush the trail first (`CheckpointLog.writeLocked` does): the hook that
/// writes the trail's signed checkpoints (`CheckpointTrigger`). It must not
/// throw: the change the entry records is done, and its reply must not turn
/// into an error.
public protocol AuditObserver: Sendable {
    func appended(_ entry: AuditEntry, lineSHA256: String)
}
