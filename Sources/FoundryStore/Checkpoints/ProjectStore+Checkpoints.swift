import Foundation

extension ProjectStore {
    /// Writes a checkpoint of the audit trail as it stands now, unless the
    /// newest checkpoint already covers it (`nil` then). Needs the notary.
    @discardableResult
    public func checkpoint(now: Date = Date()) throws -> StoredCheckpoint? {
        guard let notary else { throw StoreError.signingUnavailable }
        return try mutex.withLock {
            guard let last = try audit.entries().last(where: \.complete), let entry = last.entry else { return nil }
            let head = AuditHead(entries: entry.seq, sha256: Digest.sha256(last.bytes + Data("\n".utf8)))
            let written = try CheckpointLog(layout: layout).writeLocked(head, project: id, key: notary.key, now: now)
            notary.sealed(id, through: head.entries)
            return written
        }
    }

    /// Seals `head`, an entry this process appended (`Notary.pending`),
    /// without reading the trail back: the server's minute timer.
    @discardableResult
    public func checkpoint(through head: AuditHead, now: Date = Date()) throws -> StoredCheckpoint? {
        guard let notary else { throw StoreError.signingUnavailable }
        return try mutex.withLock {
            let written = try CheckpointLog(layout: layout).writeLocked(head, project: id, key: notary.key, now: now)
            notary.sealed(id, through: head.entries)
            return written
        }
    }

    /// The project's checkpoints, oldest first.
    public func checkpoints() throws -> [StoredCheckpoint] {
        let log = CheckpointLog(layout: layout)
        return try log.sequences().compactMap(log.checkpoint)
    }
}

extension Workspace {
    /// Checkpoints every project whose newest entry appended by this process
    /// has none yet (the server runs this once a minute).
    ///
    /// - Returns: the checkpoints written, by project.
    @discardableResult
    public func checkpointPending(now: Date = Date()) throws -> [ProjectID: StoredCheckpoint] {
        guard let notary else { return [:] }
        var written: [ProjectID: StoredCheckpoint] = [:]
        for (id, head) in notary.pending().sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let checkpoint = try project(id).checkpoint(through: head, now: now) { written[id] = checkpoint }
        }
        return written
    }
}
