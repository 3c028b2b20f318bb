import Logging

/// Everything that keeps one client from exhausting the server, built once
/// from `ServerLimits` and shared by the connection setup, the HTTP
/// middleware and the WebSocket gateway (docs/limits.md).
struct ClientLimits: Sendable {
    let settings: ServerLimits
    let timeouts: TimeoutSchedule.Settings
    let connections: ConnectionLedger
    let sockets: SocketLedger
    let requests: RequestLedger
    let changes: ChangeRateLimiter
    let joins: JoinQueue
    let metrics: FoundryMetrics
    private let log: RefusalLog

    /// Limits for a process that may hold `descriptorLimit` open files.
    init(_ settings: ServerLimits, descriptorLimit: Int, metrics: FoundryMetrics, logger: Logger) throws(ConnectionCeiling.Error) {
        self.settings = settings
        timeouts = TimeoutSchedule.Settings(settings)
        connections = ConnectionLedger(
            ceiling: try ConnectionCeiling.derive(descriptorLimit: descriptorLimit, requested: settings.maxConnections),
            perAddress: settings.maxConnectionsPerAddress
        )
        sockets = SocketLedger(perUser: settings.maxSocketsPerUser, perSession: settings.maxSocketsPerSession)
        requests = RequestLedger(perUser: settings.maxRequestsPerUser)
        changes = ChangeRateLimiter(rate: settings.changesPerSecond, burst: settings.changeBurst)
        joins = JoinQueue(permits: settings.concurrentJoins, limit: settings.maxQueuedJoins, maxWait: settings.maxJoinWait, metrics: metrics)
        self.metrics = metrics
        log = RefusalLog(logger: logger)
    }

    /// Counts a refusal by reason, and logs it now and then (an attack must
    /// not flood the log: one line per reason a minute at most, with how
    /// many were refused since the last).
    func refused(_ refusal: Refusal) {
        metrics.refused(refusal)
        log.note(refusal)
    }
}
