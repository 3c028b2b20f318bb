import Foundation
import Testing

/// How long a test waits for something certain to happen before it fails.
///
/// A test waits only for conditions that will hold (a frame the server must
/// send, a file it must write, a run that must end): the bound is there so
/// that a broken server fails the test instead of hanging it, never as a
/// guess of how long the thing takes. Nothing passes by waiting it out.
let failureBound: Double = 30

/// Polls `condition` every 10 ms until it holds; `false` if it still does
/// not after `seconds` worth of polls.
///
/// The bound counts the waiter's own turns, not the wall clock: when a
/// whole suite starts at once, Swift's cooperative pool (two threads here)
/// can leave a waiting task unscheduled for many seconds, and a deadline on
/// the clock would pass while neither the waiter nor what it waits for ran.
func eventually(within seconds: Double = failureBound, _ condition: () async throws -> Bool) async rethrows -> Bool {
    for _ in 0..<Int(seconds * 100) {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Makes the server's watcher pass a point: alice takes a lock on a field of
/// its own in `project`, and this returns once `socket` has its
/// `LOCK_ACQUIRED` (then the lock is released again). The watcher reports
/// file events in the order they happened, so every frame due to a change
/// made before this call is in `socket.frames` by then: a test checks that
/// something did not happen without waiting an arbitrary while for it.
func watcherBarrier(_ api: APIClient, _ socket: TestSocket, project: String = "onco") async throws {
    let alice = try await api.server.token("alice", session: "barrier")
    let field = "barrier-\(UInt32.random(in: 0...UInt32.max))"
    #expect(try await api.request(.put, "/projects/\(project)/locks/\(field)", token: alice).status == .ok)
    #expect(await socket.next("LOCK_ACQUIRED") { $0["field"]?.string == field } != nil, "the watcher did not pass the barrier")
    // Released only once announced: a lock taken and released before the watcher reads it is never broadcast.
    #expect(try await api.request(.delete, "/projects/\(project)/locks/\(field)", token: alice).status == .ok)
    #expect(await socket.next("LOCK_RELEASED") { $0["field"]?.string == field } != nil)
}
