import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A run directory built under a temp name (`runs/.tmp-run-000007-…`):
/// payload exported, `run.json` and an empty `console.log` written, not yet
/// visible. `publishRun` renames it into place; `discard` removes it.
public struct PreparedRun: Sendable {
    public let id: RunID
    public let temp: RunLayout
    /// Where the run will live once published: the paths a runner is given.
    public let final: RunLayout
    public var record: RunRecord
}

/// What an append over HTTP did: where its line starts, where the file now
/// ends, and whether the log cap cut it off.
public struct ConsoleAppend: Sendable, Equatable {
    public var offset: Int
    public var nextOffset: Int
    public var truncated: Bool
}

extension ProjectStore {
    /// Reserves the next run id (an exclusive `mkdir` of its temp directory
    /// under the project mutex) and builds the run there: the payload of
    /// `version` (default: the head), `run.json` in state `running` and an
    /// empty `console.log`.
    ///
    /// - Throws: `versionNotFound`, `invalidContent` (a field that does not
    ///   parse), `projectFrozen`; nothing is left behind.
    public func prepareRun(version: Int?, by identity: EditorIdentity, external: Bool, now: Date = Date()) throws -> PreparedRun {
        let manifest = try manifest()
        guard manifest.state == .open else { throw StoreError.projectFrozen(id.rawValue) }
        let number = version ?? manifest.headVersion
        guard number >= 1, number <= manifest.headVersion else { throw StoreError.versionNotFound(project: id.rawValue, version: number) }
        let draft = try draft(number)
        try FileIO.makeDirectory(layout.runs)
        let (runID, temp) = try mutex.change(auditedIn: audit) { () -> (RunID, RunLayout) in
            try requireOpenLocked()
            let taken = try FileIO.list(layout.runs).compactMap { name -> Int? in
                let base = name.hasPrefix(Self.tempRunPrefix) ? String(name.dropFirst(FileIO.tempPrefix.count).prefix(10)) : name
                return (try? RunID(base))?.number
            }
            let runID = RunID(number: (taken.max() ?? 0) + 1)
            let temp = RunLayout(directory: layout.runs + "/" + FileIO.tempPrefix + runID.rawValue + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36))
            guard mkdir(temp.directory, 0o755) == 0 else { throw StoreError.system("mkdir", temp.directory) }
            return (runID, temp)
        }
        do {
            let payloadHash = try RunPayload.write(draft, of: self, run: runID, into: temp, now: now)
            let record = RunRecord(
                runID: runID.rawValue, projectID: id.rawValue, version: number, label: draft.record.label, draftID: draft.id,
                payloadSHA256: payloadHash, startedBy: identity.user, session: identity.session, command: nil,
                external: external, startedAt: Timestamp.string(from: now)
            )
            let prepared = PreparedRun(id: runID, temp: temp, final: layout.run(runID), record: record)
            try writeRecord(record, at: temp.record)
            _ = try ConsoleWriter(path: temp.console)
            try FileIO.syncDirectory(temp.directory)
            return prepared
        } catch {
            try? FileManager.default.removeItem(atPath: temp.directory)
            throw error
        }
    }

    /// Rewrites the prepared run's `run.json` (the command and process, once known).
    public func updatePrepared(_ run: PreparedRun) throws {
        try writeRecord(run.record, at: run.temp.record)
    }

    /// Renames a prepared run into `runs/` and records `run.started`.
    /// If the audit entry cannot be written the run is taken back out of sight.
    @discardableResult
    public func publishRun(_ run: PreparedRun, now: Date = Date()) throws -> RunRecord {
        try mutex.change(auditedIn: audit) {
            guard rename(run.temp.directory, run.final.directory) == 0 else {
                if errno == EEXIST || errno == ENOTEMPTY { throw StoreError.conflict("run \(run.id) was created by another process; retry") }
                throw StoreError.system("rename", run.final.directory)
            }
            do {
                try FileIO.syncDirectory(layout.runs)
                let record = run.record
                try audit.appendLocked(record.startedEvent(), now: now)
            } catch {
                if rename(run.final.directory, run.temp.directory) == 0 { try? FileManager.default.removeItem(atPath: run.temp.directory) }
                throw error
            }
            return run.record
        }
    }

    /// Removes a prepared run that will not be published.
    public func discard(_ run: PreparedRun) {
        try? FileManager.default.removeItem(atPath: run.temp.directory)
    }

    /// A run without a process of this server: the payload is exported and
    /// the caller's runner appends output (`appendOutput`) and ends it (`finishRun`).
    public func createExternalRun(version: Int?, by identity: EditorIdentity, now: Date = Date()) throws -> RunRecord {
        let prepared = try prepareRun(version: version, by: identity, external: true, now: now)
        do {
            return try publishRun(prepared, now: now)
        } catch {
            discard(prepared)
            throw error
        }
    }

    /// The record of run `id`; `runNotFound` when there is none.
    public func runRecord(_ id: RunID) throws -> RunRecord {
        let path = layout.run(id).record
        guard let data = try FileIO.read(path) else { throw StoreError.runNotFound(project: self.id.rawValue, run: id.rawValue) }
        return try CanonicalJSON.decode(RunRecord.self, from: data, path: path)
    }

    /// Every run of the project, newest first (directories without a readable record are skipped).
    public func runs() throws -> [RunRecord] {
        try FileIO.list(layout.runs).compactMap { try? RunID($0) }.sorted(by: >).compactMap { try? runRecord($0) }
    }

    /// Appends `text` to an external run's console, `fsync`ed before it returns.
    /// Past `cap` bytes the text is discarded, a `system` line says so once,
    /// and the run is marked truncated.
    ///
    /// - Throws: `runNotFound`, `runFinished` (the console is left unchanged),
    ///   `runNotExternal` (a process of the server owns that console).
    public func appendOutput(_ id: RunID, stream: ConsoleStream, text: String, by identity: EditorIdentity, cap: Int, now: Date = Date()) throws -> ConsoleAppend {
        try mutex.change(auditedIn: audit) {
            var record = try runRecord(id)
            guard !record.isFinished else { throw StoreError.runFinished(run: id.rawValue, state: record.state.rawValue) }
            guard record.external else { throw StoreError.runNotExternal(run: id.rawValue) }
            let run = layout.run(id)
            let writer = try ConsoleWriter(path: run.console)
            let offset = writer.size
            guard !record.truncated else { return ConsoleAppend(offset: offset, nextOffset: offset, truncated: true) }
            let line = ConsoleLine(ts: Timestamp.string(from: now), stream: stream, text: text, user: identity.user)
            if writer.size + line.encoded.count > cap {
                try writer.append(ConsoleLine.truncationNotice(cap: cap, now: now))
                try writer.sync()
                record.truncated = true
                try writeRecord(record, at: run.record)
                return ConsoleAppend(offset: offset, nextOffset: writer.size, truncated: true)
            }
            try writer.append(line)
            try writer.sync()
            return ConsoleAppend(offset: offset, nextOffset: writer.size, truncated: false)
        }
    }

    /// Ends a running run: seals `console.log` (its size and SHA-256 go into
    /// `run.json`), writes the final state and records `run.finished` or
    /// `run.cancelled`, attributed to `identity`.
    ///
    /// - Throws: `runFinished` when it has already ended.
    @discardableResult
    public func finishRun(_ id: RunID, outcome: RunOutcome, by identity: EditorIdentity, now: Date = Date()) throws -> RunRecord {
        try mutex.change(auditedIn: audit) {
            var record = try runRecord(id)
            guard !record.isFinished else { throw StoreError.runFinished(run: id.rawValue, state: record.state.rawValue) }
            record.state = outcome.state
            record.exitStatus = outcome.exitStatus
            record.signal = outcome.signal
            record.truncated = record.truncated || outcome.truncated
            record.cancelledBy = outcome.cancelledBy?.user
            return try sealLocked(&record, type: outcome.cancelledBy == nil ? .runFinished : .runCancelled, by: identity, now: now)
        }
    }

    /// Marks a run whose supervising server is gone as `lost`, with a `system` line saying so.
    @discardableResult
    func markLost(_ id: RunID, reason: String, now: Date = Date()) throws -> RunRecord? {
        try mutex.change(auditedIn: audit) {
            var record = try runRecord(id)
            guard !record.isFinished else { return nil }
            let writer = try ConsoleWriter(path: layout.run(id).console)
            try writer.append(ConsoleLine(ts: Timestamp.string(from: now), stream: .system, text: "run lost: \(reason)\n"))
            try writer.sync()
            record.state = .lost
            return try sealLocked(&record, type: .runLost, by: .server, now: now, extra: ["reason": .string(reason)])
        }
    }

    private func sealLocked(_ record: inout RunRecord, type: AuditEventType, by identity: EditorIdentity, now: Date,
                            extra: [String: JSONValue] = [:]) throws -> RunRecord {
        let run = layout.run(try RunID(record.runID))
        let (bytes, sha256) = try ConsoleLog.seal(run.console)
        record.endedAt = Timestamp.string(from: now)
        record.consoleBytes = bytes
        record.consoleSHA256 = sha256
        try writeRecord(record, at: run.record)
        try audit.appendLocked(record.endedEvent(type, by: identity, extra: extra), now: now)
        return record
    }

    private func writeRecord(_ record: RunRecord, at path: String) throws {
        try FileIO.replace(try CanonicalJSON.encode(record), at: path)
    }

    /// `runs/.tmp-run-`: a run being built; its number is taken.
    static var tempRunPrefix: String { FileIO.tempPrefix + "run-" }
}

extension ConsoleLine {
    /// The `system` line written once when a run's output reaches the log cap.
    public static func truncationNotice(cap: Int, now: Date) -> ConsoleLine {
        ConsoleLine(ts: Timestamp.string(from: now), stream: .system, text: "output beyond the log cap of \(cap) bytes is discarded\n")
    }
}
