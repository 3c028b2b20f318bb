/// Where a project's test runs live.
///
/// ```
/// <project>/runs/<run>/
///   run.json        the run record, replaced atomically on each state change
///   console.log     append-only JSON Lines: {"ts", "stream", "text"} per chunk of output
///   payload.json    what was exported: project, version, draft id, per-field SHA-256
///   payload/        the version's fields as files at their field paths (mode 0444)
/// ```
extension ProjectLayout {
    public var runs: String { directory + "/runs" }

    public func run(_ id: RunID) -> RunLayout {
        RunLayout(directory: runs + "/" + id.rawValue)
    }
}

/// The files of one run directory.
public struct RunLayout: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var record: String { directory + "/run.json" }
    public var console: String { directory + "/console.log" }
    public var payload: String { directory + "/payload" }
    public var payloadManifest: String { directory + "/payload.json" }
}
