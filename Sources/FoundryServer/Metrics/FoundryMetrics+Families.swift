/// Every metric family the server exports, in one list: `FoundryMetrics`
/// registers them all when it is made. A new metric is a `MetricFamily`
/// here, added to `FoundryMetrics.families`, recorded through
/// `counter(_:_:)`, `gauge(_:_:)` or `histogram(_:_:)`, and listed in the
/// operations documentation.
extension FoundryMetrics {
    public static let families: [MetricFamily] = [
        .websocketConnections, .websocketConnectionsByProject,
        .lockRequests, .lockHold,
        .save, .broadcast,
        .watcherEvents, .watcherOverflows,
        .httpRequests, .httpRequestDuration,
        .refusals, .connectionTimeouts, .connections, .socketJoinsWaiting,
    ]

    /// Bounds of the latency histograms: 100 µs to 5 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(5),
    ]
}

extension MetricFamily {
    public static let websocketConnections = MetricFamily(
        "foundry_websocket_connections", .gauge, help: "WebSocket connections open now, over all projects."
    )
    public static let websocketConnectionsByProject = MetricFamily(
        "foundry_websocket_connections_by_project", .gauge, help: "WebSocket connections open now, by project.", labels: ["project"]
    )
    public static let lockRequests = MetricFamily(
        "foundry_lock_requests_total", .counter,
        help: "Field lock requests over HTTP and WebSocket, by outcome; contention rate = denied / (granted + denied).",
        labels: ["outcome"], knownValues: FoundryMetrics.LockOutcome.allCases.map { [$0.rawValue] }
    )
    public static let lockHold = MetricFamily(
        "foundry_lock_hold_seconds",
        .histogram(buckets: [.seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(4 * 3600)]),
        help: "How long the locks this server ended were held, from acquired_at to their release."
    )
    public static let save = MetricFamily(
        "foundry_save_seconds", .histogram(buckets: FoundryMetrics.latencyBuckets),
        help: "Time a save over HTTP takes in the store, until the version is durable."
    )
    public static let broadcast = MetricFamily(
        "foundry_broadcast_seconds", .histogram(buckets: FoundryMetrics.latencyBuckets),
        help: "From a watcher event read to its frames queued to every socket of the project."
    )
    public static let watcherEvents = MetricFamily(
        "foundry_watcher_events_total", .counter, help: "File events the inotify watcher reported, by kind.",
        labels: ["kind"], knownValues: WatcherEventLabel.allCases.map { [$0.rawValue] }
    )
    public static let watcherOverflows = MetricFamily(
        "foundry_watcher_overflows_total", .counter,
        help: "Times inotify events were lost (a kernel queue overflow or a lost watch), each followed by a rescan and RESYNC."
    )
    public static let httpRequests = MetricFamily(
        "foundry_http_requests_total", .counter, help: "HTTP requests answered, by matched route, method and status.",
        labels: ["route", "method", "status"]
    )
    public static let httpRequestDuration = MetricFamily(
        "foundry_http_request_seconds", .histogram(buckets: FoundryMetrics.latencyBuckets),
        help: "Time from an HTTP request's head to its response, by matched route and method.", labels: ["route", "method"]
    )
}
