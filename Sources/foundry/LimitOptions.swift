import ArgumentParser
import FoundryServer

/// The `foundry serve` flags of docs/limits.md: timeouts, connection
/// limits and rate limits. 0 turns a limit or timeout off.
struct LimitOptions: ParsableArguments {
    private static let defaults = ServerLimits()

    @Option(help: "Seconds a request head may take to arrive, from the connection or a request's first byte.")
    var requestHeaderTimeout = LimitOptions.defaults.requestHeaderTimeout
    @Option(help: "Seconds a kept-alive connection may stay idle between requests.")
    var keepAliveTimeout = LimitOptions.defaults.keepAliveTimeout
    @Option(help: "Seconds a request body may stall.")
    var requestBodyTimeout = LimitOptions.defaults.requestBodyTimeout
    @Option(help: "Bytes per second a request body must keep on average.")
    var minBodyRate = LimitOptions.defaults.minBodyRate
    @Option(help: "Seconds a response may wait for the client to read it.")
    var sendTimeout = LimitOptions.defaults.sendTimeout
    @Option(help: "Connections held at once, HTTP and WebSocket (default: derived from the open-file limit).")
    var maxConnections: Int?
    @Option(help: "Connections from one client address (an IPv6 /64 is one address).")
    var maxConnectionsPerAddress = LimitOptions.defaults.maxConnectionsPerAddress
    @Option(help: "WebSockets one user may hold.")
    var maxSocketsPerUser = LimitOptions.defaults.maxSocketsPerUser
    @Option(help: "WebSockets one session may hold.")
    var maxSocketsPerSession = LimitOptions.defaults.maxSocketsPerSession
    @Option(help: "HTTP requests of one user served at once.")
    var maxRequestsPerUser = LimitOptions.defaults.maxRequestsPerUser
    @Option(help: "Changes per second one user may make on average (saves, locks, comments, tasks, runs, members, socket joins).")
    var rateLimit = LimitOptions.defaults.changesPerSecond
    @Option(help: "Changes one user may make at once before --rate-limit applies.")
    var rateBurst = LimitOptions.defaults.changeBurst
    @Option(help: "Socket joins and leaves writing their audit lines at once.")
    var joinConcurrency = LimitOptions.defaults.concurrentJoins
    @Option(help: "Seconds a socket join may expect to wait for its turn; one that would wait longer is closed with 1013.")
    var maxJoinWait = LimitOptions.defaults.maxJoinWait
    @Option(help: "Socket joins that may wait for their turn at most; more are closed with 1013.")
    var maxQueuedJoins = LimitOptions.defaults.maxQueuedJoins

    func validate() throws {
        let times = [requestHeaderTimeout, keepAliveTimeout, requestBodyTimeout, sendTimeout, rateLimit, maxJoinWait]
        let counts = [minBodyRate, maxConnectionsPerAddress, maxSocketsPerUser, maxSocketsPerSession, maxRequestsPerUser, maxQueuedJoins]
        guard times.allSatisfy({ $0 >= 0 }), counts.allSatisfy({ $0 >= 0 }), rateBurst >= 1, joinConcurrency >= 1, (maxConnections ?? 1) >= 1 else {
            throw ValidationError("timeouts, rates and limits must be ≥ 0 (0: off), --rate-burst, --join-concurrency and --max-connections ≥ 1")
        }
    }

    var limits: ServerLimits {
        var limits = ServerLimits()
        limits.requestHeaderTimeout = requestHeaderTimeout
        limits.keepAliveTimeout = keepAliveTimeout
        limits.requestBodyTimeout = requestBodyTimeout
        limits.minBodyRate = minBodyRate
        limits.sendTimeout = sendTimeout
        limits.maxConnections = maxConnections
        limits.maxConnectionsPerAddress = maxConnectionsPerAddress
        limits.maxSocketsPerUser = maxSocketsPerUser
        limits.maxSocketsPerSession = maxSocketsPerSession
        limits.maxRequestsPerUser = maxRequestsPerUser
        limits.changesPerSecond = rateLimit
        limits.changeBurst = rateBurst
        limits.concurrentJoins = joinConcurrency
        limits.maxJoinWait = maxJoinWait
        limits.maxQueuedJoins = maxQueuedJoins
        return limits
    }
}
