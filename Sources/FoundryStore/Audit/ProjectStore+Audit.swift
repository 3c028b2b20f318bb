import Foundation

extension ProjectStore {
    /// Appends an event that no store operation records by itself (a socket
    /// connecting or leaving), under the project mutex, durable on return.
    @discardableResult
    public func record(_ event: AuditEvent, now: Date = Date()) throws -> AuditEntry {
        try submitRecord(event, now: now).wait()
    }

    /// `record`, returning once the entry is written (readers see it) and
    /// before it is durable: the `Pending` says when it is.
    public func submitRecord(_ event: AuditEvent, now: Date = Date()) -> Pending<AuditEntry> {
        mutex.commit(auditedIn: audit, via: groupCommit) { writes in try audit.appendLocked(event, to: writes, now: now) }
    }
}
