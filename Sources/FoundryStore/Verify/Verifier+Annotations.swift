import Foundation

extension Verifier {
    /// Checks `comments/` and `tasks/`: records numbered 1, 2, 3 … without a
    /// gap, each readable as its kind, numbered as its file, of this project,
    /// about a comment or task created before it, and named (file and
    /// SHA-256) by an entry of the audit trail. A record is written before
    /// its entry, so a crash leaves only the newest records of a series
    /// without one; an unrecorded record below a recorded one, an unrecorded
    /// record that is itself damaged, or an entry naming a record that is not
    /// there, is damage.
    func verifyAnnotations(_ layout: ProjectLayout, id: ProjectID, trail: AuditTrail, into report: inout VerificationReport) {
        verify(AnnotationLog<CommentEvent>(layout: layout), id: id, trail: trail, into: &report)
        verify(AnnotationLog<TaskEvent>(layout: layout), id: id, trail: trail, into: &report)
    }

    private func verify<Record>(_ log: AnnotationLog<Record>, id: ProjectID, trail: AuditTrail, into report: inout VerificationReport) {
        let names: [String]
        do { names = try FileIO.list(log.directory) } catch {
            report.damage(log.directory, "cannot read: \(error)")
            return
        }
        for name in names where AnnotationSeries.sequence(ofFile: name) == nil && !name.hasPrefix(FileIO.tempPrefix) {
            report.damage(log.directory + "/" + name, "unexpected file in \(Record.series.rawValue)/")
        }
        let series = Record.series
        let sequences = names.compactMap(AnnotationSeries.sequence(ofFile:)).sorted()
        let newestRecorded = sequences.last { trail.annotationFiles[series.relativePath($0)] != nil } ?? 0
        var created = Set<String>()
        for (index, sequence) in sequences.enumerated() {
            let path = log.layout.annotation(series, sequence)
            guard sequence == index + 1 else {
                report.damage(path, "record \(index + 1) is missing before it")
                return
            }
            guard let stored = try? log.record(sequence) else {
                report.damage(path, "not a readable \(series == .comments ? "comment" : "task") record")
                continue
            }
            report.annotationsChecked += 1
            let record = stored.record
            let damageBefore = report.damage.count
            if record.projectID != id.rawValue { report.damage(path, "belongs to project \(record.projectID)") }
            if record.startsAnnotation {
                if !created.insert(record.annotationID).inserted { report.damage(path, "creates \(record.annotationID) a second time") }
            } else if !created.contains(record.annotationID) {
                report.damage(path, "is about \(record.annotationID), which no earlier record creates")
            }
            let isSound = report.damage.count == damageBefore
            let file = series.relativePath(sequence)
            if let entry = trail.annotationFiles[file] {
                if entry.sha256 != stored.sha256 { report.damage(path, "its audit entry (line \(entry.line)) names SHA-256 \(entry.sha256), the file hashes to \(stored.sha256)") }
            } else if sequence < newestRecorded {
                report.damage(path, "has no audit entry in audit.jsonl while the later \(series.relativePath(newestRecorded)) has one: the entry was removed from the trail")
            } else if !isSound {
                report.damage(path, "has no audit entry in audit.jsonl, and is not a record the server writes: added behind its back")
            } else {
                trail.interrupted(.unauditedAnnotation, path, "\(file) (\(record.annotationID)) has no audit entry yet: a change stopped between its record and its audit line, never acknowledged", into: &report)
            }
        }
        let present = Set(sequences.map(series.relativePath))
        for (file, entry) in trail.annotationFiles.sorted(by: { $0.key < $1.key }) where file.hasPrefix(series.rawValue + "/") && !present.contains(file) {
            report.damage(log.layout.directory + "/" + file, "line \(entry.line) records this record, which is missing")
        }
    }
}
