import Foundation
import FoundryStore
import Synchronization

/// A runner process of this server, shared by the supervisor, the routes and
/// the run's output thread: who asked to cancel it and when, and how it ended.
final class RunProcess: Sendable {
    struct Cancellation: Sendable {
        var by: EditorIdentity
        var at: ContinuousClock.Instant
    }

    private struct State {
        var cancellation: Cancellation?
        var ended = false
        var record: RunRecord?
    }

    let project: ProjectID
    let run: RunID
    let pid: pid_t
    private let state = Mutex(State())

    init(project: ProjectID, run: RunID, pid: pid_t) {
        self.project = project
        self.run = run
        self.pid = pid
    }

    var key: String { RunProcess.key(project, run) }

    static func key(_ project: ProjectID, _ run: RunID) -> String { project.rawValue + "/" + run.rawValue }

    /// Asks the process group to stop (SIGTERM) the first time; the output
    /// thread sends SIGKILL once the grace period has passed.
    func cancel(by identity: EditorIdentity) {
        let first = state.withLock { state -> Bool in
            guard state.cancellation == nil, !state.ended else { return false }
            state.cancellation = Cancellation(by: identity, at: .now)
            return true
        }
        if first { kill(-pid, SIGTERM) }
    }

    var cancellation: Cancellation? { state.withLock { $0.cancellation } }

    /// Called by the output thread last, with the final record (`nil` when it could not be written).
    func end(_ record: RunRecord?) {
        state.withLock {
            $0.ended = true
            $0.record = record
        }
    }

    var hasEnded: Bool { state.withLock { $0.ended } }
    var finalRecord: RunRecord? { state.withLock { $0.record } }

    /// Waits (polling, without holding a thread) until the run has ended or `timeout` passed.
    func waitUntilEnded(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasEnded, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return hasEnded
    }
}
