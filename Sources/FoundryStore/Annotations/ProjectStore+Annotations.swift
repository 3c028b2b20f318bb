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
    /// record file and its SHA-256), both durable on return. Call with the
    /// mutex held, after every check.
    func writeAnnotationLocked<Record>(_ log: AnnotationLog<Record>, now: Date, make: (Int) throws -> Record) throws -> StoredAnnotation<Record> {
        let stored = try log.appendLocked(make)
        try audit.appendLocked(stored.auditEvent(), now: now)
        return stored
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
