import FoundryStore

/// A run's record and the console lines read after what the hub has
/// announced, ready for the hub to apply.
struct RunUpdate: Sendable {
    var record: RunRecord
    var console: ConsoleChunk
}

extension ProjectHub {
    /// At most this much console text goes in one `CONSOLE_OUTPUT` frame.
    static let consoleFrameBytes = 64 * 1024

    /// Where the hub is in a run's console, and whether it has announced its end; `nil` for a run it has not seen.
    func runCursor(_ run: String) -> (offset: Int, finished: Bool)? {
        files.runs.runs[run].map { ($0.offset, $0.finished) }
    }

    /// Applies runs read from the files, in order.
    func apply(_ updates: [RunUpdate]) {
        for update in updates { apply(update) }
    }

    /// `RUN_STARTED` the first time a run is seen, then its new console lines
    /// as `CONSOLE_OUTPUT`, then `RUN_FINISHED` once its record is final and
    /// its console read to the sealed end. Idempotent: lines before the
    /// announced offset are dropped, an ended run is left alone.
    func apply(_ update: RunUpdate) {
        let id = update.record.runID
        var live: RunBoard.Live
        if let known = files.runs.runs[id] {
            guard !known.finished else { return }
            live = known
        } else {
            live = RunBoard.Live(record: update.record, offset: 0, finished: false)
            broadcast(.runStarted, Self.startedData(update.record))
        }
        live.record = update.record
        let fresh = update.console.entries.filter { $0.offset >= live.offset }
        for frame in Self.consoleFrames(run: id, fresh) { broadcast(.consoleOutput, frame) }
        if let last = fresh.last {
            live.offset = last.offset + last.size
            live.remember(fresh)
        }
        if update.record.isFinished, !update.console.hasMore {
            live.finished = true
            live.backlog = []
            live.backlogBytes = 0
            broadcast(.runFinished, Self.finishedData(update.record))
        }
        files.runs.runs[id] = live
    }

    /// For a socket that just got its `SNAPSHOT`: the console lines announced
    /// so far of every run in progress, as `CONSOLE_OUTPUT` frames with
    /// `"backlog": true` and no `seq`, ending exactly where the next live frame starts.
    func consoleBacklog() -> [String] {
        files.runs.runs.filter { !$0.value.finished }.sorted { $0.key < $1.key }.flatMap { run, live in
            Self.consoleFrames(run: run, live.backlog).map { data in
                var data = data
                data["backlog"] = true
                return EventFrame(seq: nil, type: .consoleOutput, project: project, data: .object(data)).text
            }
        }
    }

    /// The runs in progress, for `SNAPSHOT` and `RESYNC`.
    var runsSnapshot: JSONValue {
        .array(files.runs.runs.values.filter { !$0.finished }.sorted { $0.record.runID < $1.record.runID }.map { live in
            .object([
                "run": .string(live.record.runID), "state": .string(live.record.state.rawValue), "version": .int(live.record.version),
                "label": .string(live.record.label), "draft_id": .string(live.record.draftID), "started_by": .string(live.record.startedBy),
                "external": .bool(live.record.external), "started_at": .string(live.record.startedAt), "console_offset": .int(live.offset),
            ])
        })
    }

    /// `{run, offset, end, lines: [{offset, ts, stream, text, user?}]}`, split so no frame carries more than `consoleFrameBytes` of text.
    static func consoleFrames(run: String, _ entries: [ConsoleEntry]) -> [[String: JSONValue]] {
        var frames: [[String: JSONValue]] = []
        var batch: [ConsoleEntry] = []
        var bytes = 0
        func close() {
            guard let first = batch.first, let last = batch.last else { return }
            frames.append([
                "run": .string(run), "offset": .int(first.offset), "end": .int(last.offset + last.size),
                "lines": .array(batch.map { entry in
                    var line: [String: JSONValue] = [
                        "offset": .int(entry.offset), "ts": .string(entry.line.ts), "stream": .string(entry.line.stream.rawValue),
                        "text": .string(entry.line.text),
                    ]
                    if let user = entry.line.user { line["user"] = .string(user) }
                    return .object(line)
                }),
            ])
            batch = []
            bytes = 0
        }
        for entry in entries {
            if !batch.isEmpty, bytes + entry.line.text.utf8.count > consoleFrameBytes { close() }
            batch.append(entry)
            bytes += entry.line.text.utf8.count
        }
        close()
        return frames
    }

    static func startedData(_ record: RunRecord) -> [String: JSONValue] {
        [
            "run": .string(record.runID), "version": .int(record.version), "label": .string(record.label),
            "draft_id": .string(record.draftID), "started_by": .string(record.startedBy), "session": .string(record.session),
            "external": .bool(record.external), "command": record.command.json, "started_at": .string(record.startedAt),
        ]
    }

    static func finishedData(_ record: RunRecord) -> [String: JSONValue] {
        [
            "run": .string(record.runID), "state": .string(record.state.rawValue), "version": .int(record.version),
            "exit_status": record.exitStatus.map(JSONValue.int) ?? .null, "signal": record.signal.map(JSONValue.int) ?? .null,
            "truncated": .bool(record.truncated), "console_bytes": record.consoleBytes.map(JSONValue.int) ?? .null,
            "console_sha256": record.consoleSHA256.json, "ended_at": record.endedAt.json, "cancelled_by": record.cancelledBy.json,
        ]
    }
}
