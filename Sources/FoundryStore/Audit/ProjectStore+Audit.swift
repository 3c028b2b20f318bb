import Foundation

extension ProjectStore {
    /// Appends an event that no store operation records by itself (a socket
    /// connecting or leaving), under the project mutex, durable on return.
    @discardableResult
    public func record(_ event: AuditEvent, now: Date = Date()) throws -> AuditEntry {
        try mutex.change(auditedIn: audit) { try audit.appendLocked(event, now: now) }
    }
}
