import Foundation

extension Verifier {
    /// Checks each run directory under `runs/`: a readable `run.json` naming
    /// this run and project; a `payload.json` whose SHA-256 is the record's
    /// `payload_sha256`, naming the version's real draft id, with every
    /// `payload/` file hashing to its entry; a finished run's sealed console
    /// (its first `console_bytes` bytes hash to `console_sha256`); and its
    /// `run.started` entry (and end entry once it ended) in the audit trail.
    ///
    /// A run is renamed into `runs/` before its `run.started` entry, and its
    /// final `run.json` is written before its end entry, so a crash leaves
    /// the newest runs without `run.started` and an ended run without its end
    /// entry; an unrecorded run below a recorded one, or an entry for a run
    /// that is not there, is damage.
    func verifyRuns(_ layout: ProjectLayout, id: ProjectID, trail: AuditTrail, hashingContent: Bool = true, into report: inout VerificationReport) {
        let names: [String]
        do { names = try FileIO.list(layout.runs) } catch {
            report.damage(layout.runs, "cannot read: \(error)")
            return
        }
        let runs = names.filter { !$0.hasPrefix(FileIO.tempPrefix) }
        let newestRecorded = runs.compactMap { trail.runsStarted[$0] != nil ? (try? RunID($0))?.number : nil }.max() ?? 0
        for name in runs.sorted() {
            let directory = layout.runs + "/" + name
            guard let run = try? RunID(name) else {
                report.damage(directory, "unexpected entry in runs/")
                continue
            }
            report.runsChecked += 1
            let files = layout.run(run)
            guard let record = verifyRun(files, name: name, layout: layout, id: id, hashingContent: hashingContent, into: &report) else { continue }
            verifyConsoleTail(files, record: record, into: &report)
            if trail.runsStarted[name] == nil {
                if let number = run.number, number < newestRecorded {
                    report.damage(files.record, "has no run.started entry while a later run has one: the entry was removed from the trail")
                } else {
                    trail.interrupted(.unauditedRunStart, files.record, "run \(name) (version \(record.version), by \(record.startedBy)) has no run.started entry yet: a run start stopped between its rename into runs/ and its audit line, never acknowledged", into: &report)
                }
            }
            let ended = trail.runsEnded[name]
            if record.isFinished, ended == nil {
                trail.interrupted(.unauditedRunEnd, files.record, "run \(name) ended (\(record.state.rawValue)) without its end entry yet: stopped between run.json and its audit line, never acknowledged", into: &report)
            } else if !record.isFinished, let line = ended {
                report.damage(files.record, "says the run is running, while line \(line) records its end")
            }
        }
        for (name, line) in trail.runsStarted.sorted(by: { $0.key < $1.key }) where !runs.contains(name) {
            report.damage(layout.runs + "/" + name, "line \(line) records this run's start, and it is missing")
        }
    }

    /// The console of a run nobody appends to any more (an external run,
    /// whose appends hold the project mutex, or a run whose supervising
    /// server is gone) ends with a newline unless an append was cut short.
    private func verifyConsoleTail(_ run: RunLayout, record: RunRecord, into report: inout VerificationReport) {
        guard !record.isFinished, record.external || (record.supervisor?.isGone ?? true),
              let size = try? ConsoleLog.size(run.console), size > 0,
              let complete = try? ConsoleLog.completeEnd(run.console, end: size), complete < size
        else { return }
        report.interrupted(.tornConsoleLine, run.console, "the last \(size - complete) byte(s) are a line without its newline (an append cut short, never acknowledged)")
    }

    private func verifyRun(_ run: RunLayout, name: String, layout: ProjectLayout, id: ProjectID, hashingContent: Bool, into report: inout VerificationReport) -> RunRecord? {
        guard let data = try? FileIO.read(run.record), let record = try? JSONDecoder().decode(RunRecord.self, from: data) else {
            report.damage(run.record, "not a readable run record")
            return nil
        }
        if record.runID != name || record.projectID != id.rawValue {
            report.damage(run.record, "names run \(record.runID) of project \(record.projectID)")
        }
        guard hashingContent else { return record }
        verifyPayload(run, record: record, layout: layout, into: &report)
        if record.isFinished, let sealed = record.consoleSHA256, let bytes = record.consoleBytes {
            let console = (try? FileIO.read(run.console)).flatMap { $0 } ?? Data()
            if console.count < bytes || Digest.sha256(console.prefix(bytes)) != sealed {
                report.damage(run.console, "does not match the console_sha256 sealed in run.json (first \(bytes) bytes)")
            }
        }
        return record
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
}
