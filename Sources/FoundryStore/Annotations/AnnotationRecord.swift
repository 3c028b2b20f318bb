/// A record of an annotation series: a comment event or a task event.
public protocol AnnotationRecord: Codable, Sendable, Equatable {
    static var series: AnnotationSeries { get }
    /// The record's number, equal to its file name.
    var sequence: Int { get }
    var projectID: String { get }
    /// The comment or task the record belongs to (`c-<n>`, `t-<n>`).
    var annotationID: String { get }
    /// Whether the record creates its comment or task (the others change one).
    var startsAnnotation: Bool { get }
    /// Who wrote the record.
    var author: EditorIdentity { get }
    /// The key that names that id in audit entries and events: `comment_id`, `task_id`.
    static var idKey: String { get }
    /// The audit entry's type, version and facts (besides the id, file and hash).
    var auditFacts: (type: AuditEventType, version: Int?, data: [String: JSONValue]) { get }
}

extension StoredAnnotation {
    /// The audit entry of this record: who, what, which file and its SHA-256.
    func auditEvent(recoveredLate: Bool = false) -> AuditEvent {
        let facts = record.auditFacts
        var data = facts.data
        data[Record.idKey] = .string(record.annotationID)
        data["file"] = .string(Record.series.relativePath(sequence))
        data["sha256"] = .string(sha256)
        if recoveredLate { data["recorded_at_recovery"] = .bool(true) }
        return AuditEvent(facts.type, by: record.author, version: facts.version, data: data)
    }
}

/// A record as read from its file, with the SHA-256 of the file's bytes.
public struct StoredAnnotation<Record: AnnotationRecord>: Sendable, Equatable {
    public var sha256: String
    public var record: Record

    public var sequence: Int { record.sequence }
}
