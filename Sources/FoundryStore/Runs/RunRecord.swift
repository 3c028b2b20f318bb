import Foundation

/// `runs/<run>/run.json`: which version a test run ran, who started it, how,
/// and how it ended. Replaced atomically (temp file, `fsync`, `rename`) on
/// each change of state; the console it wrote is sealed into it at the end
/// (`console_bytes`, `console_sha256`).
public struct RunRecord: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.run/1"

    public var format: String = RunRecord.currentFormat
    public var runID: String
    public var projectID: String
    /// The exported version, its label and the SHA-256 id of its draft record.
    public var version: Int
    public var label: String
    public var draftID: String
    /// SHA-256 of `payload.json` (which lists every exported field's hash).
    public var payloadSHA256: String
    public var startedBy: String
    public var session: String
    /// The runner command as run by `/bin/sh -c`, placeholders expanded; `nil` for an external run.
    public var command: String?
    /// Driven over HTTP (or by appending to `console.log`) instead of by a process of the server.
    public var external: Bool
    public var state: RunState
    public var startedAt: String
    public var endedAt: String?
    /// The exit status the process (or the external runner) reported.
    public var exitStatus: Int?
    /// The signal that ended the process, when one did.
    public var signal: Int?
    /// Output beyond the log cap was discarded.
    public var truncated: Bool = false
    /// Size and SHA-256 of `console.log` when the run ended.
    public var consoleBytes: Int?
    public var consoleSHA256: String?
    /// The process (and process group) id of the runner.
    public var pid: Int?
    /// The server process supervising the runner, to tell a crash from a run still going.
    public var supervisor: RunSupervisorID?
    /// Who cancelled the run (`@foundry` when the server stopped it).
    public var cancelledBy: String?

    public var isFinished: Bool { state != .running }

    enum CodingKeys: String, CodingKey {
        case format, version, label, command, external, state, signal, truncated, pid, supervisor, session
        case runID = "run_id"
        case projectID = "project_id"
        case draftID = "draft_id"
        case payloadSHA256 = "payload_sha256"
        case startedBy = "started_by"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case exitStatus = "exit_status"
        case consoleBytes = "console_bytes"
        case consoleSHA256 = "console_sha256"
        case cancelledBy = "cancelled_by"
    }

    public init(runID: String, projectID: String, version: Int, label: String, draftID: String, payloadSHA256: String,
                startedBy: String, session: String, command: String?, external: Bool, startedAt: String) {
        self.runID = runID
        self.projectID = projectID
        self.version = version
        self.label = label
        self.draftID = draftID
        self.payloadSHA256 = payloadSHA256
        self.startedBy = startedBy
        self.session = session
        self.command = command
        self.external = external
        self.state = .running
        self.startedAt = startedAt
    }

    /// Every key is written, absent values as `null`, so `jq .exit_status` never guesses.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(runID, forKey: .runID)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(version, forKey: .version)
        try container.encode(label, forKey: .label)
        try container.encode(draftID, forKey: .draftID)
        try container.encode(payloadSHA256, forKey: .payloadSHA256)
        try container.encode(startedBy, forKey: .startedBy)
        try container.encode(session, forKey: .session)
        try container.encode(command, forKey: .command)
        try container.encode(external, forKey: .external)
        try container.encode(state, forKey: .state)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(signal, forKey: .signal)
        try container.encode(truncated, forKey: .truncated)
        try container.encode(consoleBytes, forKey: .consoleBytes)
        try container.encode(consoleSHA256, forKey: .consoleSHA256)
        try container.encode(pid, forKey: .pid)
        try container.encode(supervisor, forKey: .supervisor)
        try container.encode(cancelledBy, forKey: .cancelledBy)
    }
}

/// Where a run is in its life. Every state but `running` is final.
public enum RunState: String, Codable, Sendable {
    case running
    /// Exit status 0.
    case succeeded
    /// Any other exit status, or a signal nobody asked for.
    case failed
    /// Ended by `DELETE …/runs/{run}` (or by the server stopping).
    case cancelled
    /// Found `running` at startup while the server that supervised it is gone.
    case lost
}

/// How a run ended, as the supervisor or an external runner reports it.
public struct RunOutcome: Sendable, Equatable {
    public var exitStatus: Int?
    public var signal: Int?
    public var truncated: Bool
    /// Who cancelled it, when it was cancelled.
    public var cancelledBy: EditorIdentity?

    public init(exitStatus: Int?, signal: Int? = nil, truncated: Bool = false, cancelledBy: EditorIdentity? = nil) {
        self.exitStatus = exitStatus
        self.signal = signal
        self.truncated = truncated
        self.cancelledBy = cancelledBy
    }

    var state: RunState {
        if cancelledBy != nil { return .cancelled }
        return exitStatus == 0 && signal == nil ? .succeeded : .failed
    }
}
