import Foundation

extension Verifier {
    /// Checks `comments/` and `tasks/`: records numbered 1, 2, 3 … without a
    /// gap, each readable as its kind, numbered as its file, of this project,
    /// about a comment or task created before it, and named (file and
    /// SHA-256) by an entry of the audit trail.
    func verifyAnnotations(_ layout: ProjectLayout, id: ProjectID, into report: inout VerificationReport) {
        let audited = auditedFiles(layout)
        verify(AnnotationLog<CommentEvent>(layout: layout), id: id, audited: audited, into: &report)
        verify(AnnotationLog<TaskEvent>(layout: layout), id: id, audited: audited, into: &report)
    }

    private func verify<Record>(_ log: AnnotationLog<Record>, id: ProjectID, audited: [String: String], into report: inout VerificationReport) {
        let names: [String]
        do { names = try FileIO.list(log.directory) } catch {
            report.damage(log.directory, "cannot read: \(error)")
            return
        }
        for name in names where AnnotationSeries.sequence(ofFile: name) == nil {
            if name.hasPrefix(FileIO.tempPrefix) { report.note(log.directory + "/" + name, "leftover temp file from an interrupted write") }
            else { report.damage(log.directory + "/" + name, "unexpected file in \(Record.series.rawValue)/") }
        }
        var created = Set<String>()
        for (index, sequence) in names.compactMap(AnnotationSeries.sequence(ofFile:)).sorted().enumerated() {
            let path = log.layout.annotation(Record.series, sequence)
            guard sequence == index + 1 else {
                report.damage(path, "record \(index + 1) is missing before it")
                return
            }
            guard let stored = try? log.record(sequence) else {
                report.damage(path, "not a readable \(Record.series == .comments ? "comment" : "task") record")
                continue
            }
            report.annotationsChecked += 1
            let record = stored.record
            if record.projectID != id.rawValue { report.damage(path, "belongs to project \(record.projectID)") }
            if record.startsAnnotation {
                if !created.insert(record.annotationID).inserted { report.damage(path, "creates \(record.annotationID) a second time") }
            } else if !created.contains(record.annotationID) {
                report.damage(path, "is about \(record.annotationID), which no earlier record creates")
            }
            let file = Record.series.relativePath(sequence)
            if let hash = audited[file] {
                if hash != stored.sha256 { report.damage(path, "its audit entry names SHA-256 \(hash), the file hashes to \(stored.sha256)") }
            } else {
                report.damage(path, "has no audit entry in audit.jsonl (written behind the server's back, or the trail was truncated)")
            }
        }
    }

    /// `file` → `sha256` of every annotation entry of the audit trail.
    private func auditedFiles(_ layout: ProjectLayout) -> [String: String] {
        var files: [String: String] = [:]
        for line in (try? AuditLog(path: layout.audit).entries()) ?? [] {
            guard let entry = line.entry, let file = entry.data["file"]?.string, let hash = entry.data["sha256"]?.string else { continue }
            files[file] = hash
        }
        return files
    }
}
