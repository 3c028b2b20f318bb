/// At most `permits` blocking calls per project on the I/O pool at once.
///
/// A change to a project waits for the project's `flock` on a pool thread;
/// fifty concurrent saves to one project would hold every thread of the
/// pool that way, and requests to every other project would queue behind
/// them. Past the gate, the surplus waits here as suspended tasks (in
/// arrival order), which hold no thread.
actor ProjectGate {
    private struct Queue {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    let permits: Int
    private var queues: [String: Queue] = [:]

    init(permits: Int) {
        self.permits = permits
    }

    func enter(_ project: String) async {
        var queue = queues[project, default: Queue()]
        if queue.running < permits {
            queue.running += 1
            queues[project] = queue
            return
        }
        await withCheckedContinuation { continuation in
            queue.waiting.append(continuation)
            queues[project] = queue
        }
    }

    /// How many calls for `project` wait for a permit (a test observes the gate with it).
    func waiting(_ project: String) -> Int {
        queues[project]?.waiting.count ?? 0
    }

    /// Hands the permit to the next waiter, or returns it.
    func leave(_ project: String) {
        guard var queue = queues[project] else { return }
        if queue.waiting.isEmpty {
            queue.running -= 1
            queues[project] = queue.running == 0 ? nil : queue
        } else {
            queue.waiting.removeFirst().resume()
            queues[project] = queue
        }
    }
}
