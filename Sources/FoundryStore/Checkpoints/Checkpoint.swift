import Foundation

/// A signed checkpoint of a project's audit trail, `checkpoints/<n>.json`,
/// like a transparency log's signed tree head: the trail had `auditEntries`
/// entries and its last line hashed to `auditHead`. A trail that no longer
/// reaches that line was cut (or edited) after the checkpoint.
///
/// Checkpoints form a chain of their own (`prev` is the SHA-256 of the
/// previous checkpoint file) and are not audited: an entry for each would
/// itself need a checkpoint.
public struct CheckpointPayload: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.checkpoint/1"

    public var format: String = CheckpointPayload.currentFormat
    /// The file's number: 1, 2, 3 … without a gap.
    public var seq: Int
    public var projectID: String
    /// How many entries the trail had: the `seq` of its last line.
    public var auditEntries: Int
    /// SHA-256 of that last line, newline included (what the next line's `prev` names).
    public var auditHead: String
    public var madeAt: String
    /// SHA-256 of the previous checkpoint file (64 zeros for the first).
    public var prev: String

    enum CodingKeys: String, CodingKey {
        case format, seq, prev
        case projectID = "project_id"
        case auditEntries = "audit_entries"
        case auditHead = "audit_head"
        case madeAt = "made_at"
    }
}

/// A checkpoint file: its payload and the server's signature of it.
public typealias CheckpointRecord = Signed<CheckpointPayload>

/// A checkpoint as read from its file, with the SHA-256 of the file's bytes.
public struct StoredCheckpoint: Sendable, Equatable {
    public var sha256: String
    public var record: CheckpointRecord
    /// The file's bytes, for checking the signature over exactly what is stored.
    public var data: Data

    public var payload: CheckpointPayload { record.payload }
}
