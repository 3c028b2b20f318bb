import NIOCore

/// A token bucket: it holds at most `capacity` tokens, gains `rate` a
/// second, and each change takes one. A client may spend the whole
/// capacity at once, then `rate` a second on average.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private var updated: NIODeadline

    /// A full bucket.
    init(rate: Double, capacity: Int, now: NIODeadline) {
        self.rate = rate
        self.capacity = Double(capacity)
        tokens = Double(capacity)
        updated = now
    }

    /// Takes a token: `nil` when there was one, else the whole seconds
    /// until there will be (the bucket is then left as it was).
    mutating func take(now: NIODeadline) -> Int? {
        refill(now)
        guard tokens < 1 else {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }

    /// Whether the bucket is full at `now` (it is then the same as a new one).
    func isFull(now: NIODeadline) -> Bool {
        var copy = self
        copy.refill(now)
        return copy.tokens >= capacity
    }

    private mutating func refill(_ now: NIODeadline) {
        guard now > updated else { return }
        let seconds = Double((now - updated).nanoseconds) / 1e9
        tokens = min(capacity, tokens + seconds * rate)
        updated = now
    }
}
