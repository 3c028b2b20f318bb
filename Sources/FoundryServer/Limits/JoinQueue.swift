/// Socket joins and leaves take turns (docs/limits.md › Reconnect storms).
///
/// Each join and leave writes an `fsync`ed audit line; when thousands of
/// sockets reconnect at once (a network blip), at most `permits` of them do
/// their disk work at a time, so the other threads of the I/O pool stay
/// free for HTTP. Leaves go before waiting joins (they release locks others
/// wait for), and are never refused. A join is refused with a retry hint
/// when the wait ahead of it, at the pace turns have been ending
/// (`JoinPace`), exceeds `maxWait`, or when `limit` joins wait already; the
/// hint is that wait plus as much again at random, so that a crowd told to
/// come back does not come back all at once.
actor JoinQueue {
    enum Kind: Sendable { case join, leave }

    let permits: Int
    /// `--max-queued-joins` (0: no limit).
    let limit: Int
    /// `--max-join-wait` in seconds (0: no limit).
    let maxWait: Double
    private let metrics: FoundryMetrics
    private var running = 0
    private var joins: [CheckedContinuation<Void, Never>] = []
    private var leaves: [CheckedContinuation<Void, Never>] = []
    private var pace: JoinPace

    init(permits: Int, limit: Int, maxWait: Double, metrics: FoundryMetrics) {
        self.permits = max(1, permits)
        pace = JoinPace(permits: max(1, permits))
        self.limit = limit
        self.maxWait = maxWait
        self.metrics = metrics
    }

    /// Waits for a turn; `nil` once it is this caller's, or why a join is refused.
    func enter(_ kind: Kind) async -> Refusal? {
        if running < permits, joins.isEmpty, leaves.isEmpty {
            running += 1
            return nil
        }
        if kind == .join, (limit > 0 && joins.count >= limit) || (maxWait > 0 && expectedWait > maxWait) {
            return .joinsQueued(waiting: joins.count, retryAfter: retryAfter())
        }
        await withCheckedContinuation { continuation in
            switch kind {
            case .join: joins.append(continuation)
            case .leave: leaves.append(continuation)
            }
            metrics.joinsWaiting(joins.count)
        }
        return nil
    }

    /// Joins and leaves waiting for their turn now.
    var waitingJoins: Int { joins.count }
    var waitingLeaves: Int { leaves.count }

    /// Ends a turn that took `duration`, handing it to the next in line.
    func leave(after duration: Duration) {
        pace.turnEnded(after: duration, at: .now, busy: !joins.isEmpty || !leaves.isEmpty)
        if !leaves.isEmpty {
            leaves.removeFirst().resume()
        } else if !joins.isEmpty {
            joins.removeFirst().resume()
            metrics.joinsWaiting(joins.count)
        } else {
            running -= 1
        }
    }

    /// Seconds a join coming now would wait for its turn, at the pace of the last turns.
    private var expectedWait: Double {
        Double(joins.count + leaves.count) * pace.secondsPerTurn
    }

    private func retryAfter() -> Int {
        let wait = max(1, Int(expectedWait.rounded(.up)))
        return wait + Int.random(in: 0...wait)
    }
}

extension JoinQueue {
    /// Runs `body` in a turn of `kind`; the refusal when a join may not wait.
    nonisolated func inTurn<T: Sendable>(_ kind: Kind, _ body: () async -> T) async -> Result<T, Refusal> {
        if let refusal = await enter(kind) { return .failure(refusal) }
        let start = ContinuousClock.now
        let value = await body()
        await leave(after: ContinuousClock.now - start)
        return .success(value)
    }
}
