import Prometheus

/// The metrics of the limits (docs/limits.md): refusals by reason,
/// connections closed by a timeout, connections held, joins waiting.
/// Recorded in the registry directly, each family with its help text, and
/// registered at zero when the server starts (`registerLimitMetrics`).
extension FoundryMetrics {
    enum LimitFamily {
        static let refusals = (name: "foundry_refusals_total", help: "Clients turned away by a limit before any work was done, by reason (docs/limits.md).")
        static let timeouts = (name: "foundry_connection_timeouts_total", help: "Connections closed because their client took too long, by phase: header, body, idle, send.")
        static let connections = (name: "foundry_connections", help: "Connections held now, HTTP and WebSocket (refused ones not counted).")
        static let joinsWaiting = (name: "foundry_socket_joins_waiting", help: "Sockets waiting for their turn to join their project.")
        /// The `phase` labels of `foundry_connection_timeouts_total`.
        static let timeoutPhases = ["header", "body", "idle", "send"]
    }

    /// Every series of these families at zero, so a dashboard sees them before the first refusal.
    func registerLimitMetrics() {
        for reason in Refusal.reasons { _ = refusalCounter(reason) }
        for phase in LimitFamily.timeoutPhases { _ = timeoutCounter(phase) }
        _ = registry.makeGauge(name: LimitFamily.connections.name, labels: [], help: LimitFamily.connections.help)
        _ = registry.makeGauge(name: LimitFamily.joinsWaiting.name, labels: [], help: LimitFamily.joinsWaiting.help)
    }

    /// A client turned away by a limit.
    func refused(_ refusal: Refusal) {
        refusalCounter(refusal.reason).increment()
    }

    /// A connection closed because its client took too long in `phase`.
    func timedOut(_ phase: String) {
        timeoutCounter(phase).increment()
    }

    func connectionOpened() {
        registry.makeGauge(name: LimitFamily.connections.name, labels: [], help: LimitFamily.connections.help).increment()
    }

    func connectionClosed() {
        registry.makeGauge(name: LimitFamily.connections.name, labels: [], help: LimitFamily.connections.help).decrement()
    }

    func joinsWaiting(_ count: Int) {
        registry.makeGauge(name: LimitFamily.joinsWaiting.name, labels: [], help: LimitFamily.joinsWaiting.help).set(Double(count))
    }

    private func refusalCounter(_ reason: String) -> Counter {
        registry.makeCounter(name: LimitFamily.refusals.name, labels: [("reason", reason)], help: LimitFamily.refusals.help)
    }

    private func timeoutCounter(_ phase: String) -> Counter {
        registry.makeCounter(name: LimitFamily.timeouts.name, labels: [("phase", phase)], help: LimitFamily.timeouts.help)
    }
}
