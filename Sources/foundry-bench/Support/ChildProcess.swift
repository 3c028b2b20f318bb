import Foundation

/// A GNU tool run to completion and timed from spawn to reaped exit, the way
/// a limit is measured.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var nanoseconds: UInt64
    }

    /// Runs `arguments` (looked up on `PATH`) with stdout to `output`.
    static func run(_ arguments: [String], output: String = "/dev/null") throws -> Outcome {
        let start = Monotonic.now()
        let status = try Spawn.wait(try Spawn.start(arguments, output: output))
        return Outcome(status: status, nanoseconds: Monotonic.now() - start)
    }

    /// The median duration of `repetitions` runs; throws unless each exits with one of `accepted`.
    static func median(_ arguments: [String], repetitions: Int, accepted: Set<Int32> = [0]) throws -> UInt64 {
        var times: [UInt64] = []
        for _ in 0..<repetitions {
            let outcome = try run(arguments)
            guard accepted.contains(outcome.status) else { throw BenchFailure("\(arguments.joined(separator: " ")) exited \(outcome.status)") }
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
