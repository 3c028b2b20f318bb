import Foundation

/// `checkpoints/` of one project: numbered, immutable, signed files
/// (`000001.json`, …), each created exclusively like a draft record.
public struct CheckpointLog: Sendable {
    public let layout: ProjectLayout

    public init(layout: ProjectLayout) {
        self.layout = layout
    }

    /// The checkpoint numbers on disk, ascending.
    public func sequences() throws -> [Int] {
        try FileIO.list(layout.checkpoints).compactMap(AnnotationSeries.sequence(ofFile:)).sorted()
    }

    /// Checkpoint `seq`, or `nil` when its file does not exist; `corrupt` when it does not parse.
    public func checkpoint(_ seq: Int) throws -> StoredCheckpoint? {
        let path = layout.checkpoint(seq)
        guard let data = try FileIO.read(path) else { return nil }
        let record = try CanonicalJSON.decode(CheckpointRecord.self, from: data, path: path)
        return StoredCheckpoint(sha256: Digest.sha256(data), record: record, data: data)
    }

    /// The newest checkpoint, or `nil` before the first.
    public func latest() throws -> StoredCheckpoint? {
        guard let last = try sequences().last else { return nil }
        return try checkpoint(last)
    }

    /// Writes the next checkpoint of a trail that stands at `head`, unless
    /// the newest one already covers it. Call with the project mutex held.
    ///
    /// - Returns: the checkpoint written, or `nil`.
    @discardableResult
    func writeLocked(_ head: AuditHead, project: ProjectID, key: ServerKey, now: Date) throws -> StoredCheckpoint? {
        let previous = try latest()
        if let previous, previous.payload.auditEntries >= head.entries { return nil }
        let seq = (previous?.payload.seq ?? 0) + 1
        let record = try CheckpointRecord(signing: CheckpointPayload(
            seq: seq, projectID: project.rawValue, auditEntries: head.entries, auditHead: head.sha256,
            madeAt: Timestamp.string(from: now), prev: previous?.sha256 ?? AuditEntry.genesis
        ), with: key)
        let data = try CanonicalJSON.encode(record)
        // Appends are flushed by the group commit after the mutex is let go: the
        // lines a checkpoint signs are made durable before the checkpoint names them.
        try ParallelFsync.syncPath(layout.audit)
        try FileIO.makeDirectory(layout.checkpoints)
        guard try FileIO.createExclusively(data, at: layout.checkpoint(seq)) else {
            throw StoreError.conflict("\(layout.checkpoint(seq)) was written by another process")
        }
        return StoredCheckpoint(sha256: Digest.sha256(data), record: record, data: data)
    }
}

extension ProjectLayout {
    /// Signed checkpoints of the audit trail: `checkpoints/000001.json`, …
    public var checkpoints: String { directory + "/checkpoints" }

    public func checkpoint(_ seq: Int) -> String {
        let digits = String(seq)
        return checkpoints + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".json"
    }
}
