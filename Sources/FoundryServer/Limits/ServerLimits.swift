import Foundation

/// How long a client may take and how much of the server one client may
/// hold: the timeouts, connection limits and rate limits of
/// `docs/limits.md`, each a `foundry serve` flag. A limit of 0 turns it off.
public struct ServerLimits: Sendable {
    // MARK: Timeouts (seconds)

    /// A request head must be complete this long after the connection was
    /// accepted, or after the first byte of a request on a kept-alive
    /// connection. nginx's `client_header_timeout` is 60 s; a head is a few
    /// hundred bytes that any client sends at once, so 10 s is generous.
    public var requestHeaderTimeout: TimeInterval = 10
    /// A kept-alive connection with no request in progress is closed after
    /// this long (nginx's `keepalive_timeout`).
    public var keepAliveTimeout: TimeInterval = 75
    /// A request body may stall this long at most; each byte that arrives
    /// buys `1 / minBodyRate` seconds more, up to this much slack.
    public var requestBodyTimeout: TimeInterval = 10
    /// The slowest average a request body may arrive at, in bytes per second.
    public var minBodyRate = 1024
    /// A response the client does not read for this long closes the
    /// connection (nginx's `send_timeout`).
    public var sendTimeout: TimeInterval = 60

    // MARK: Connections

    /// Connections (HTTP and WebSocket) held at once; beyond it a connection
    /// is answered 503 `SERVER_BUSY`. `nil`: derived from the open-file
    /// limit, leaving room for the store, the watcher and the runs.
    public var maxConnections: Int?
    /// Connections from one client address (an IPv6 /64 counts as one).
    public var maxConnectionsPerAddress = 512
    /// WebSockets one user holds at once, over every project.
    public var maxSocketsPerUser = 64
    /// WebSockets one session (an IDE tab) holds at once.
    public var maxSocketsPerSession = 16
    /// HTTP requests of one user being served at once.
    public var maxRequestsPerUser = 64

    // MARK: Changes

    /// Changes per second one user may make on average (saves, locks over
    /// HTTP and the socket, comments, tasks, runs, members, projects, and
    /// socket joins, which each write an audit line).
    public var changesPerSecond: Double = 50
    /// Changes one user may make at once before the average applies.
    public var changeBurst = 500

    // MARK: Socket joins

    /// Socket joins and leaves writing their audit lines at once, server-wide
    /// (the I/O pool has 16 threads: the rest stay free for HTTP).
    public var concurrentJoins = 4
    /// The longest a join may expect to wait for its turn (the joins ahead
    /// of it, at the pace joins have been taking); one that would wait
    /// longer is closed with 1013 and a retry hint. So a storm is admitted
    /// as fast as the disk allows, and told to come back only past that.
    public var maxJoinWait: TimeInterval = 30
    /// Joins that may wait at most, however fast they go (a bound on memory).
    public var maxQueuedJoins = 10_000

    public init() {}
}
