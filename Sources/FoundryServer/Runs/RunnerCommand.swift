import Foundation
import FoundryStore

/// The runner command of `--runner` and what its process is given.
enum RunnerCommand {
    /// `template` with `{payload}` and `{run}` replaced by the shell-quoted paths.
    static func expand(_ template: String, payload: String, run: String) -> String {
        template.replacingOccurrences(of: "{payload}", with: quote(payload)).replacingOccurrences(of: "{run}", with: quote(run))
    }

    /// `'…'` with embedded quotes closed, escaped and reopened: one shell word whatever the path holds.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The server's environment without its secret and the path of its signing key, plus where the run is:
    /// `FOUNDRY_PROJECT`, `FOUNDRY_RUN`, `FOUNDRY_RUN_DIR`, `FOUNDRY_PAYLOAD`, `FOUNDRY_VERSION`, `FOUNDRY_DRAFT_ID`.
    static func environment(for run: PreparedRun) -> [String] {
        var environment = ProcessInfo.processInfo.environment
        environment["FOUNDRY_JWT_SECRET"] = nil
        environment["FOUNDRY_SIGNING_KEY"] = nil
        environment["FOUNDRY_PROJECT"] = run.record.projectID
        environment["FOUNDRY_RUN"] = run.id.rawValue
        environment["FOUNDRY_RUN_DIR"] = run.final.directory
        environment["FOUNDRY_PAYLOAD"] = run.final.payload
        environment["FOUNDRY_VERSION"] = String(run.record.version)
        environment["FOUNDRY_DRAFT_ID"] = run.record.draftID
        return environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The script the shell runs first: it waits on fd 3 until the run
    /// directory is in place (one byte: go; end of file: the run was
    /// abandoned, exit 125), then becomes `sh -c <command>` (same pid, same
    /// process group).
    static let gate = #"read -r foundry_gate <&3 || exit 125; exec 3<&-; exec "$0" -c "$1""#
}
