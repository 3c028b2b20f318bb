import Dispatch
@testable import FoundryServer
import Synchronization
import Testing

/// The I/O pool's per-project gate, on a real pool.
@Suite("Blocking I/O pool")
struct BlockingIOTests {
    final class Trace: Sendable {
        let started = Mutex<[String]>([])
        func append(_ name: String) { started.withLock { $0.append(name) } }
        var names: [String] { started.withLock { $0 } }
    }

    @Test("Calls changing one project take turns on the pool; another project's calls go ahead meanwhile")
    func projectGate() async throws {
        let io = BlockingIO(threads: 4)
        let (trace, release) = (Trace(), DispatchSemaphore(value: 0))
        func change(_ project: String, _ name: String, blocking: Bool = false) -> Task<Void, any Error> {
            Task {
                try await BlockingIO.$changingProject.withValue(project) {
                    try await io.run {
                        trace.append(name)
                        if blocking { release.wait() }
                    }
                }
            }
        }
        func waitFor(_ name: String) async {
            #expect(await eventually { trace.names.contains(name) }, "\(name) never ran")
        }
        let first = change("a", "a1", blocking: true)
        await waitFor("a1")
        let second = change("a", "a2")
        // a2 is known to wait at the gate, holding no thread, before b1 is sent.
        #expect(await eventually { await io.waitingAtGate("a") == 1 })
        let other = change("b", "b1")
        await waitFor("b1")
        #expect(trace.names == ["a1", "b1"])
        release.signal()
        for task in [first, second, other] { try await task.value }
        #expect(trace.names == ["a1", "b1", "a2"])
        try await io.shutdown()
    }
}
