import Foundation

extension Verifier {
    /// Checks each run directory under `runs/`: a readable `run.json` naming
    /// this run and project; a `payload.json` whose SHA-256 is the record's
    /// `payload_sha256`, naming the version's real draft id, with every
    /// `payload/` file hashing to its entry; a finished run's sealed console
    /// (its first `console_bytes` bytes hash to `console_sha256`); and a
    /// `run.started` audit entry.
    func verifyRuns(_ layout: ProjectLayout, id: ProjectID, into report: inout VerificationReport) {
        let names: [String]
        do { names = try FileIO.list(layout.runs) } catch {
            report.damage(layout.runs, "cannot read: \(error)")
            return
        }
        let started = startedRuns(layout)
        for name in names.sorted() {
            let directory = layout.runs + "/" + name
            if name.hasPrefix(FileIO.tempPrefix) {
                report.note(directory, "leftover temp directory from an interrupted run start")
                continue
            }
            guard let run = try? RunID(name) else {
                report.damage(directory, "unexpected entry in runs/")
                continue
            }
            report.runsChecked += 1
            verifyRun(layout.run(run), name: name, layout: layout, id: id, into: &report)
            if !started.contains(name) { report.damage(layout.run(run).record, "no run.started entry in the audit trail") }
        }
    }

    private func verifyRun(_ run: RunLayout, name: String, layout: ProjectLayout, id: ProjectID, into report: inout VerificationReport) {
        guard let data = try? FileIO.read(run.record), let record = try? JSONDecoder().decode(RunRecord.self, from: data) else {
            report.damage(run.record, "not a readable run record")
            return
        }
        if record.runID != name || record.projectID != id.rawValue {
            report.damage(run.record, "names run \(record.runID) of project \(record.projectID)")
        }
        verifyPayload(run, record: record, layout: layout, into: &report)
        if record.isFinished, let sealed = record.consoleSHA256, let bytes = record.consoleBytes {
            let console = (try? FileIO.read(run.console)).flatMap { $0 } ?? Data()
            if console.count < bytes || Digest.sha256(console.prefix(bytes)) != sealed {
                report.damage(run.console, "does not match the console_sha256 sealed in run.json (first \(bytes) bytes)")
            }
        }
    }

    private func verifyPayload(_ run: RunLayout, record: RunRecord, layout: ProjectLayout, into report: inout VerificationReport) {
        guard let data = try? FileIO.read(run.payloadManifest),
              let manifest = try? JSONDecoder().decode(RunPayloadManifest.self, from: data)
        else {
            report.damage(run.payloadManifest, "not a readable payload manifest")
            return
        }
        if Digest.sha256(data) != record.payloadSHA256 { report.damage(run.payloadManifest, "does not hash to payload_sha256 of run.json") }
        let draft = (try? FileIO.read(layout.draft(record.version))).flatMap { $0 }.map(Digest.sha256)
        if manifest.draftID != record.draftID || draft != record.draftID {
            report.damage(run.payloadManifest, "names draft \(manifest.draftID), run.json \(record.draftID), version \(record.version)'s record is \(draft ?? "missing")")
        }
        for (field, entry) in manifest.fields.sorted(by: { $0.key < $1.key }) {
            let path = run.payload + "/" + field
            if (try? Digest.sha256(fileAt: path)) != entry.sha256 { report.damage(path, "does not hash to its entry in payload.json") }
        }
    }

    /// The runs the audit trail records as started.
    private func startedRuns(_ layout: ProjectLayout) -> Set<String> {
        var runs = Set<String>()
        for line in (try? AuditLog(path: layout.audit).entries()) ?? [] {
            guard let entry = line.entry, entry.type == .runStarted, let run = entry.data["run"]?.string else { continue }
            runs.insert(run)
        }
        return runs
    }
}
