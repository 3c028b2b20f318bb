/// Polls `condition` every 200 µs until it holds, or throws after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw BenchFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .microseconds(200))
    }
}

/// A benchmark could not run to the end; the message says where.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
