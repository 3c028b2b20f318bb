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

    /// Appends the entries of versions that have none: a crash between a
    /// record's write and its audit append, or a project older than the audit
    /// trail. Each is marked `recorded_at_recovery`. Call with the mutex held.
    ///
    /// - Returns: the versions that were added.
    func auditMissingVersionsLocked(now: Date = Date()) throws -> [Int] {
        let head = try manifest().headVersion
        guard head > 0 else { return [] }
        let audited = Set(try audit.entries().compactMap { line -> Int? in
            guard let entry = line.entry, entry.type.rawValue.hasPrefix("draft.") else { return nil }
            return entry.version
        })
        let missing = (1...head).filter { !audited.contains($0) }
        for version in missing {
            try audit.appendLocked(Self.auditEvent(for: try readDraft(version), recoveredLate: true), now: now)
        }
        return missing
    }
}
