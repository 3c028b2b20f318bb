import NIOCore
import Synchronization

/// Each user's token bucket for changes (`--rate-limit`, `--rate-burst`):
/// saves, locks (HTTP and socket messages), comments, tasks, runs, member
/// and project changes, and socket joins. Reads never take a token, and
/// users do not share buckets.
final class ChangeRateLimiter: Sendable {
    let rate: Double
    let burst: Int
    private let buckets = Mutex(Buckets())

    private struct Buckets {
        var byUser: [String: TokenBucket] = [:]
        /// The size at which full buckets (the same as new ones) are dropped.
        var pruneAt = 1024
    }

    /// `rate` 0 turns the limit off.
    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes one of `user`'s tokens: `nil` when the change may go ahead,
    /// else the refusal with the seconds after which it may.
    func take(_ user: String, now: NIODeadline = .now()) -> Refusal? {
        guard rate > 0 else { return nil }
        let wait = buckets.withLock { buckets in
            var bucket = buckets.byUser[user] ?? TokenBucket(rate: rate, capacity: burst, now: now)
            let wait = bucket.take(now: now)
            buckets.byUser[user] = bucket
            if buckets.byUser.count > buckets.pruneAt {
                buckets.byUser = buckets.byUser.filter { !$0.value.isFull(now: now) }
                buckets.pruneAt = max(1024, buckets.byUser.count * 2)
            }
            return wait
        }
        return wait.map { .rateLimited(user: user, retryAfter: $0) }
    }
}
