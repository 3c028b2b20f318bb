import Foundation
import FoundryDiff

/// What comments and tasks share: how a record is written and audited, and
/// the checks of anchors and links.
extension ProjectStore {
    /// The longest comment or reply text, in UTF-8 bytes.
    public static let maximumCommentBytes = 16 * 1024
    /// The longest task title, in UTF-8 bytes.
    public static let maximumTaskTitleBytes = 1024

    /// Writes the next record of `log` and its audit entry (which names the
    /// record file and its SHA-256) as part of the change `writes`. Call with
    /// the mutex held, after every check.
    func writeAnnotationLocked<Record>(_ log: AnnotationLog<Record>, in writes: ChangeWrites, now: Date, make: (Int) throws -> Record) throws -> StoredAnnotation<Record> {
        let stored = try log.appendLocked(in: writes, make)
        try audit.appendLocked(stored.auditEvent(), to: writes, now: now)
        return stored
    }

    /// `writeAnnotationLocked(_:in:now:make:)` for a change not written
    /// through `ChangeWrites` (a signature made during a freeze): durable on return.
    func writeAnnotationLocked<Record>(_ log: AnnotationLog<Record>, now: Date, make: (Int) throws -> Record) throws -> StoredAnnotation<Record> {
        let writes = ChangeWrites(commit: groupCommit)
        defer { writes.discardUnplaced() }
        let stored = try writeAnnotationLocked(log, in: writes, now: now, make: make)
        try groupCommit.submit(writes.plan).wait()
        return stored
    }

    /// Runs an annotation change under the mutex; durable on return.
    func changeAnnotations<T: Sendable>(_ body: (ChangeWrites) throws -> T) throws -> T {
        try mutex.commit(auditedIn: audit, via: groupCommit, body).wait()
    }

    /// Checks that `field` exists in `version` and, when given, that
    /// `lineStart…lineEnd` are lines of it (1 ≤ start ≤ end ≤ its line count).
    ///
    /// - Returns: the version's draft id.
    func checkLines(_ lineStart: Int?, _ lineEnd: Int?, of field: FieldName, in version: Int) throws -> String {
        let draft = try draft(try requireVersion(version))
        guard let entry = draft.record.fields[field.rawValue] else {
            throw StoreError.fieldNotFound(field: field.rawValue, version: version)
        }
        if lineStart != nil || lineEnd != nil {
            let count = LineMap.lineCount(of: String(decoding: try blobs.get(entry.sha256), as: UTF8.self))
            guard let start = lineStart, let end = lineEnd, start >= 1, start <= end, end <= count else {
                throw StoreError.invalidRange(field: field.rawValue, version: version, lineStart: lineStart, lineEnd: lineEnd, lineCount: count)
            }
        }
        return draft.id
    }

    /// A version a request names: it must exist (`versionNotFound` otherwise).
    func requireVersion(_ version: Int) throws -> Int {
        guard version >= 1, version <= (try headVersion()) else { throw StoreError.versionNotFound(project: id.rawValue, version: version) }
        return version
    }

    /// Refuses a `text` that is blank or longer than `limit` UTF-8 bytes.
    static func checkText(_ text: String, what: String, limit: Int) throws {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw StoreError.invalidArgument("\(what) is empty") }
        guard text.utf8.count <= limit else { throw StoreError.invalidArgument("\(what) is longer than \(limit) bytes") }
    }
}
