import NIOCore

/// When an HTTP connection's client has taken too long: a pure state
/// machine fed with what the connection sees and the time, so that its
/// rules are tested without sockets (`RequestTimeoutHandler` drives it).
///
/// - A request head must be complete `header` seconds after the connection
///   was accepted, or after the first byte of a later request.
/// - Between requests, a connection is closed after `idle` seconds without
///   a byte.
/// - A body may stall `body` seconds; each byte buys `1 / minRate` seconds
///   more, up to `body` seconds ahead, so it must keep `minRate` bytes a
///   second on average.
/// - A response the client does not take for `send` seconds ends it.
///
/// While the server is not asking for bytes (its handler is busy and the
/// connection's buffer is full) the client's clock stops: the time is the
/// server's, not the client's. While a request is being served nothing
/// but `send` runs.
struct TimeoutSchedule {
    struct Settings: Sendable {
        var header: TimeAmount
        var idle: TimeAmount
        var body: TimeAmount
        /// Bytes per second; 0 leaves only the stall limit.
        var minRate: Int
        var send: TimeAmount

        init(_ limits: ServerLimits) {
            header = Self.amount(limits.requestHeaderTimeout)
            idle = Self.amount(limits.keepAliveTimeout)
            body = Self.amount(limits.requestBodyTimeout)
            minRate = limits.minBodyRate
            send = Self.amount(limits.sendTimeout)
        }

        /// Seconds as a `TimeAmount`; 0 (off) as a time no client reaches.
        private static func amount(_ seconds: Double) -> TimeAmount {
            seconds > 0 ? .nanoseconds(Int64(seconds * 1e9)) : .hours(24 * 365 * 100)
        }
    }

    enum Phase: Equatable {
        /// Waiting for a request head (`sawBytes`: some of it arrived).
        case head(sawBytes: Bool)
        /// Between requests: nothing arrived since the last response.
        case idle
        /// Reading a request body.
        case body
        /// The request is read; the server's turn until its response ends.
        case serving
    }

    /// Which rule closed the connection: the `phase` label of `foundry_connection_timeouts_total`.
    enum Expiry: String, Equatable {
        case header, body, idle, send
    }

    let settings: Settings
    private(set) var phase = Phase.head(sawBytes: false)
    /// When the client's time in `phase` runs out (`nil` while serving).
    private(set) var deadline: NIODeadline?
    /// When the server stopped asking for bytes, if it has.
    private var pausedAt: NIODeadline?
    /// When the response stopped being taken by the client, if it has.
    private var sendDeadline: NIODeadline?
    /// Bytes arrived since the last head (the start of a next request).
    private var bytesSinceHead = false
    /// The response to the request being read has begun.
    private(set) var responseStarted = false

    init(_ settings: Settings, now: NIODeadline) {
        self.settings = settings
        deadline = now + settings.header
    }

    // MARK: What the connection sees

    mutating func bytesArrived(now: NIODeadline) {
        bytesSinceHead = true
        switch phase {
        case .idle: enter(.head(sawBytes: true), deadline: now + settings.header)
        case .head(sawBytes: false): phase = .head(sawBytes: true)
        default: break
        }
    }

    mutating func headReceived(now: NIODeadline) {
        bytesSinceHead = false
        responseStarted = false
        enter(.body, deadline: now + settings.body)
    }

    mutating func bodyReceived(_ count: Int, now: NIODeadline) {
        guard phase == .body else { return }
        let slack = now + settings.body
        guard settings.minRate > 0, let deadline else { return self.deadline = slack }
        self.deadline = min(deadline + .nanoseconds(Int64(Double(count) / Double(settings.minRate) * 1e9)), slack)
    }

    mutating func requestEnded() {
        if phase == .body { enter(.serving, deadline: nil) }
    }

    mutating func responseHeadSent() {
        responseStarted = true
    }

    /// A response ended: the next request may begin (it may have already).
    mutating func responseEnded(now: NIODeadline) {
        guard phase == .serving else { return }
        if bytesSinceHead {
            enter(.head(sawBytes: true), deadline: now + settings.header)
        } else {
            enter(.idle, deadline: now + settings.idle)
        }
    }

    /// The server asks for bytes again (`true`), or has what it can take (`false`).
    mutating func reading(_ wanted: Bool, now: NIODeadline) {
        if wanted, let pausedAt {
            if let deadline { self.deadline = deadline + (now - pausedAt) }
            self.pausedAt = nil
        } else if !wanted, pausedAt == nil {
            pausedAt = now
        }
    }

    mutating func writable(_ writable: Bool, now: NIODeadline) {
        sendDeadline = writable ? nil : (sendDeadline ?? now + settings.send)
    }

    // MARK: Deciding

    /// The rule that has run out at `now`, if one has.
    func expired(now: NIODeadline) -> Expiry? {
        if let sendDeadline, now >= sendDeadline { return .send }
        guard pausedAt == nil, let deadline, now >= deadline else { return nil }
        switch phase {
        case .head: return .header
        case .idle: return .idle
        case .body: return .body
        case .serving: return nil
        }
    }

    /// When to look again (`nil`: nothing can run out until something happens).
    var nextCheck: NIODeadline? {
        let client = pausedAt == nil ? deadline : nil
        switch (client, sendDeadline) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    private mutating func enter(_ phase: Phase, deadline: NIODeadline?) {
        self.phase = phase
        self.deadline = deadline
    }
}
