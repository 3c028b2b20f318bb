import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A GNU tool run to completion and timed from spawn to reaped exit, the way
/// a limit is measured: `posix_spawnp` and `waitpid`, no run loop in between.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var nanoseconds: UInt64
    }

    /// Runs `arguments` (looked up on `PATH`) with stdout to `output`.
    static func run(_ arguments: [String], output: String = "/dev/null") throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let start = Monotonic.now()
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw POSIXError(.ECHILD) }
        }
        let elapsed = Monotonic.now() - start
        return Outcome(status: (status >> 8) & 0xff, nanoseconds: elapsed)
    }

    /// The median duration of `repetitions` runs; throws unless each exits with one of `accepted`.
    static func median(_ arguments: [String], repetitions: Int, accepted: Set<Int32> = [0]) throws -> UInt64 {
        var times: [UInt64] = []
        for _ in 0..<repetitions {
            let outcome = try run(arguments)
            guard accepted.contains(outcome.status) else {
                throw POSIXError(.EIO, userInfo: [NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")) exited \(outcome.status)"])
            }
            times.append(outcome.nanoseconds)
        }
        return times.sorted()[times.count / 2]
    }
}

/// The median of `repetitions` timings of `body`, in nanoseconds.
func medianTime(_ repetitions: Int, _ body: () throws -> Void) rethrows -> UInt64 {
    var times: [UInt64] = []
    for _ in 0..<repetitions { times.append(try Monotonic.time(body)) }
    return times.sorted()[times.count / 2]
}
