/// The audit entries a run's record gives: written when the run starts and
/// ends, or by the startup recovery when a crash stopped the run's change
/// between `run.json` and its entry (then marked `recorded_at_recovery`).
extension RunRecord {
    /// `run.started`, by the user and session that started the run.
    func startedEvent(recoveredLate: Bool = false) -> AuditEvent {
        var data: [String: JSONValue] = [
            "run": .string(runID), "draft_id": .string(draftID), "label": .string(label),
            "payload_sha256": .string(payloadSHA256), "command": command.json, "external": .bool(external),
            "pid": pid.map(JSONValue.int) ?? .null,
        ]
        if recoveredLate { data["recorded_at_recovery"] = .bool(true) }
        return AuditEvent(.runStarted, by: EditorIdentity(user: startedBy, session: session), version: version, data: data)
    }

    /// The end entry of a sealed record: `run.finished`, `run.cancelled` or `run.lost`.
    func endedEvent(_ type: AuditEventType, by identity: EditorIdentity, extra: [String: JSONValue] = [:]) -> AuditEvent {
        var data: [String: JSONValue] = [
            "run": .string(runID), "state": .string(state.rawValue), "draft_id": .string(draftID),
            "exit_status": exitStatus.map(JSONValue.int) ?? .null, "signal": signal.map(JSONValue.int) ?? .null,
            "truncated": .bool(truncated), "console_bytes": consoleBytes.map(JSONValue.int) ?? .null,
            "console_sha256": consoleSHA256.json,
        ]
        data.merge(extra) { $1 }
        return AuditEvent(type, by: identity, version: version, data: data)
    }

    /// The type of the end entry its final state calls for.
    var endedEventType: AuditEventType {
        switch state {
        case .cancelled: .runCancelled
        case .lost: .runLost
        default: .runFinished
        }
    }
}
