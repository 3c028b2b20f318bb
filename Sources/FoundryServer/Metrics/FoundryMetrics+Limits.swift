/// The metrics of the limits (docs/limits.md): refusals by reason,
/// connections closed by a timeout, connections held, joins waiting.
extension FoundryMetrics {
    /// The `phase` labels of `foundry_connection_timeouts_total`.
    static let timeoutPhases = ["header", "body", "idle", "send"]

    /// A client turned away by a limit.
    func refused(_ refusal: Refusal) {
        counter(.refusals, [("reason", refusal.reason)]).increment()
    }

    /// A connection closed because its client took too long in `phase`.
    func timedOut(_ phase: String) {
        counter(.connectionTimeouts, [("phase", phase)]).increment()
    }

    func connectionOpened() {
        gauge(.connections).increment()
    }

    func connectionClosed() {
        gauge(.connections).decrement()
    }

    func joinsWaiting(_ count: Int) {
        gauge(.socketJoinsWaiting).set(Double(count))
    }
}

extension MetricFamily {
    public static let refusals = MetricFamily(
        "foundry_refusals_total", .counter, help: "Clients turned away by a limit before any work was done, by reason (docs/limits.md).",
        labels: ["reason"], knownValues: Refusal.reasons.map { [$0] }
    )
    public static let connectionTimeouts = MetricFamily(
        "foundry_connection_timeouts_total", .counter,
        help: "Connections closed because their client took too long, by phase: header, body, idle, send.",
        labels: ["phase"], knownValues: FoundryMetrics.timeoutPhases.map { [$0] }
    )
    public static let connections = MetricFamily(
        "foundry_connections", .gauge, help: "Connections held now, HTTP and WebSocket (refused ones not counted)."
    )
    public static let socketJoinsWaiting = MetricFamily(
        "foundry_socket_joins_waiting", .gauge, help: "Sockets waiting for their turn to join their project."
    )
}
