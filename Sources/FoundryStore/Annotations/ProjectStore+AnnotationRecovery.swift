import Foundation

extension ProjectStore {
    /// Appends the audit entries of annotation records that have none (a
    /// crash between a record's write and its entry), each marked
    /// `recorded_at_recovery`. Call with the mutex held.
    ///
    /// - Returns: the record files that were added, e.g. `comments/000003.json`.
    func auditMissingAnnotationsLocked(now: Date = Date()) throws -> [String] {
        let audited = Set(try audit.entries().compactMap { $0.entry?.data["file"]?.string })
        var added: [String] = []
        func recover<Record>(_ log: AnnotationLog<Record>) throws {
            for sequence in try log.sequences() where !audited.contains(Record.series.relativePath(sequence)) {
                guard let stored = try? log.record(sequence) else { continue }
                try audit.appendLocked(stored.auditEvent(recoveredLate: true), now: now)
                added.append(Record.series.relativePath(sequence))
            }
        }
        try recover(comments)
        try recover(tasks)
        try recover(signatures)
        return added
    }
}
