import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Group commit for one file system: the flushes that make changes durable,
/// shared by every change that waits at the same time.
///
/// A change submits its `FlushPlan` before it lets go of its project's
/// mutex and gets a ticket: the number of the round that will cover it.
/// Rounds run one after the other: a round takes every plan submitted since
/// the previous round started, flushes their paths together
/// (`ParallelFsync`), and then answers every ticket it covered. While a
/// round runs, the next one fills up. A flusher thread runs the rounds of
/// changes that wait without a thread (the server's, which goes on with the
/// project's next change meanwhile); a thread that blocks for its change
/// (`wait`) runs the round itself when no round is running, which spares it
/// two thread wake-ups.
///
/// Rounds finish in the order they were numbered, so a change acknowledged
/// after round n also has every change submitted before it durable: a
/// version that read version n-1 under the mutex (and so was submitted
/// after it) is never acknowledged while n-1 could still be lost.
public final class GroupCommit: Sendable {
    private struct State {
        var pending = FlushPlan()
        var hasPending = false
        /// The round the pending plans will be flushed in.
        var nextRound: UInt64 = 1
        var finishedRound: UInt64 = 0
        var failures: [UInt64: StoreError] = [:]
        var waiters: [UInt64: [CheckedContinuation<Void, any Error>]] = [:]
        var flusherStarted = false
        var held = false
        /// A round is being flushed (by the flusher thread or by a change's own thread).
        var running = false
        var rounds = 0
        var paths = 0
    }

    public let ordering: FlushOrdering
    private let condition = ThreadCondition()
    private let state = ThreadConfined(State())

    init(ordering: FlushOrdering) {
        self.ordering = ordering
    }

    /// The group commit of the file system holding `path` (one per device
    /// and process); a path not created yet counts as its nearest existing parent's.
    public static func forFileSystem(of path: String) -> GroupCommit {
        var existing = path.isEmpty ? "." : path
        var info = stat()
        while stat(existing, &info) != 0, existing != "/", existing != "." {
            let parent = (existing as NSString).deletingLastPathComponent
            existing = parent.isEmpty ? "." : parent
        }
        let device = UInt64(info.st_dev)
        return registry.withLock { commits in
            if let commit = commits[device] { return commit }
            let commit = GroupCommit(ordering: FlushOrdering.detect(at: existing))
            commits[device] = commit
            return commit
        }
    }

    private static let registry = Mutex<[UInt64: GroupCommit]>([:])

    /// Queues `plan` for the next round; call before the change's mutex is released.
    func submit(_ plan: FlushPlan) -> FlushTicket {
        condition.locked {
            if !state.value.flusherStarted {
                state.value.flusherStarted = true
                let thread = Thread { [self] in flushLoop() }
                thread.name = "foundry-group-commit"
                thread.start()
            }
            state.value.pending.merge(plan.sealed())
            state.value.hasPending = true
            condition.broadcast()
            return FlushTicket(commit: self, round: state.value.nextRound)
        }
    }

    /// Runs the round of `ticket` on this thread when nothing is being
    /// flushed and that round has not begun: the change that would otherwise
    /// hand its flush to the flusher thread and wait for it to be woken makes
    /// it itself. Changes submitted meanwhile by others join the round, as
    /// they would the flusher's. Returns at once when a round is running.
    private func runIfIdle(_ ticket: FlushTicket) {
        let taken: (UInt64, FlushPlan)? = condition.locked {
            let state = state.value
            guard !state.running, !state.held, state.hasPending, state.nextRound == ticket.round else { return nil }
            return takeRound()
        }
        if let (round, plan) = taken { run(round, plan) }
    }

    /// Blocks until the round of `ticket` has finished; throws its failure.
    func wait(_ ticket: FlushTicket) throws {
        runIfIdle(ticket)
        let failure: StoreError? = condition.locked {
            while state.value.finishedRound < ticket.round { condition.wait() }
            return state.value.failures[ticket.round]
        }
        if let failure { throw failure }
    }

    /// Suspends until the round of `ticket` has finished; throws its failure.
    func durable(_ ticket: FlushTicket) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, StoreError>? = condition.locked {
                guard state.value.finishedRound >= ticket.round else {
                    state.value.waiters[ticket.round, default: []].append(continuation)
                    return nil
                }
                return state.value.failures[ticket.round].map { .failure($0) } ?? .success(())
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Rounds run and paths flushed so far (for tests and benchmarks).
    public var statistics: (rounds: Int, paths: Int) {
        condition.locked { (state.value.rounds, state.value.paths) }
    }

    /// Holds the next round back until `release()` (tests: plans submitted
    /// meanwhile are certain to share it).
    func hold() {
        condition.locked { state.value.held = true }
    }

    func release() {
        condition.locked {
            state.value.held = false
            condition.broadcast()
        }
    }

    /// Whether the round of `ticket` has finished.
    func isDone(_ ticket: FlushTicket) -> Bool {
        condition.locked { state.value.finishedRound >= ticket.round }
    }

    private func flushLoop() {
        while true {
            let (round, plan): (UInt64, FlushPlan) = condition.locked {
                while !state.value.hasPending || state.value.held || state.value.running { condition.wait() }
                return takeRound()
            }
            run(round, plan)
        }
    }

    /// Takes every plan submitted so far as the next round. Call with the lock held.
    private func takeRound() -> (UInt64, FlushPlan) {
        let taken = (state.value.nextRound, state.value.pending)
        state.value.pending = FlushPlan()
        state.value.hasPending = false
        state.value.nextRound += 1
        state.value.running = true
        return taken
    }

    /// Flushes a round taken by `takeRound`, then answers its tickets.
    private func run(_ round: UInt64, _ plan: FlushPlan) {
        var failure: StoreError?
        do {
            for step in plan.steps(for: ordering) { try ParallelFsync.sync(step) }
        } catch let error as StoreError {
            failure = error
        } catch {
            failure = .io(path: "", operation: "fsync", errno: EIO)
        }
        if failure == nil {
            // ENOENT is fine: the start's recovery may have removed it first.
            for path in plan.removalsOnceDurable { unlink(path) }
        }
        let waiters: [CheckedContinuation<Void, any Error>] = condition.locked {
            state.value.finishedRound = round
            state.value.running = false
            state.value.rounds += 1
            state.value.paths += plan.steps(for: ordering).reduce(0) { $0 + $1.count }
            if let failure { state.value.failures[round] = failure }
            // Failures are kept for sync waiters still to wake; a thousand rounds is far beyond any of them.
            state.value.failures = state.value.failures.filter { $0.key + 1000 > round }
            condition.broadcast()
            return state.value.waiters.removeValue(forKey: round) ?? []
        }
        for waiter in waiters {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume() }
        }
    }
}
