/// At most `permits` blocking calls per project on the I/O pool at once.
///
/// A change to a project waits for the project's `flock` on a pool thread;
/// fifty concurrent saves to one project would hold every thread of the
/// pool that way, and requests to every other project would queue behind
/// them. Past the gate, the surplus waits here as suspended tasks (in
/// arrival order), which hold no thread.
///
/// Background work (a socket's join and leave, each an audit line) gives
/// way to waiting changes, so that a reconnect storm on a project does not
/// hold up its saves; it still gets a turn after every
/// `changesPerBackgroundTurn` changes, so a busy project cannot starve it.
actor ProjectGate {
    enum Priority: Sendable { case change, background }

    static let changesPerBackgroundTurn = 4

    private struct Queue {
        var running = 0
        var changes: [CheckedContinuation<Void, Never>] = []
        var background: [CheckedContinuation<Void, Never>] = []
        /// Changes let in since background work last had a turn.
        var changesInARow = 0

        mutating func next() -> CheckedContinuation<Void, Never>? {
            if !background.isEmpty, changes.isEmpty || changesInARow >= ProjectGate.changesPerBackgroundTurn {
                changesInARow = 0
                return background.removeFirst()
            }
            guard !changes.isEmpty else { return nil }
            changesInARow += 1
            return changes.removeFirst()
        }
    }

    let permits: Int
    private var queues: [String: Queue] = [:]

    init(permits: Int) {
        self.permits = permits
    }

    func enter(_ project: String, priority: Priority = .change) async {
        var queue = queues[project, default: Queue()]
        if queue.running < permits {
            queue.running += 1
            queues[project] = queue
            return
        }
        await withCheckedContinuation { continuation in
            switch priority {
            case .change: queue.changes.append(continuation)
            case .background: queue.background.append(continuation)
            }
            queues[project] = queue
        }
    }

    /// How many calls for `project` wait for a permit (a test observes the gate with it).
    func waiting(_ project: String) -> Int {
        queues[project].map { $0.changes.count + $0.background.count } ?? 0
    }

    /// Hands the permit to the next waiter, or returns it.
    func leave(_ project: String) {
        guard var queue = queues[project] else { return }
        if let next = queue.next() {
            next.resume()
            queues[project] = queue
        } else {
            queue.running -= 1
            queues[project] = queue.running == 0 ? nil : queue
        }
    }
}
