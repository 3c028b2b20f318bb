import Foundation
import FoundryStore
import Prometheus

/// The server's metrics, served as Prometheus text on `GET /metrics`.
///
/// Families are listed once, in `FoundryMetrics.families`, and registered
/// when the server starts (see `MetricFamily`). Each value is kept in a
/// swift-prometheus registry owned by this value rather than a process-wide
/// one, so that several servers in one process (the tests) each count their
/// own; recordings go through the registry with the family's help text,
/// which it requires to be the same at every registration.
public struct FoundryMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Lock outcomes; the contention rate is `denied / (granted + denied)` of `foundry_lock_requests_total`.
    public enum LockOutcome: String, Sendable, CaseIterable { case granted, refreshed, denied }

    public init() {
        registry = PrometheusCollectorRegistry()
        for family in Self.families {
            for labels in family.seriesAtStart { register(family, labels) }
        }
    }

    // MARK: Recording

    func socketOpened(project: String) {
        gauge(.websocketConnections).increment()
        gauge(.websocketConnectionsByProject, [("project", project)]).increment()
    }

    func socketClosed(project: String) {
        gauge(.websocketConnections).decrement()
        gauge(.websocketConnectionsByProject, [("project", project)]).decrement()
    }

    func lockRequest(_ outcome: LockOutcome) {
        counter(.lockRequests, [("outcome", outcome.rawValue)]).increment()
    }

    /// Records how long a released lock was held (from its `acquired_at`).
    func lockReleased(_ lock: FieldLock, now: Date = Date()) {
        guard let acquired = Timestamp.date(from: lock.acquiredAt) else { return }
        histogram(.lockHold).record(.seconds(max(0, now.timeIntervalSince(acquired))))
    }

    func saveTook(_ duration: Duration) {
        histogram(.save).record(duration)
    }

    func broadcastTook(_ duration: Duration) {
        histogram(.broadcast).record(duration)
    }

    func watcherEvent(_ kind: WatcherEventLabel) {
        counter(.watcherEvents, [("kind", kind.rawValue)]).increment()
        if kind == .overflow { counter(.watcherOverflows).increment() }
    }

    func httpRequest(route: String, method: String, status: Int, duration: Duration) {
        counter(.httpRequests, [("route", route), ("method", method), ("status", String(status))]).increment()
        histogram(.httpRequestDuration, [("route", route), ("method", method)]).record(duration)
    }

    // MARK: Families

    /// The counter of `family` for these label values (made at 0 on first use).
    func counter(_ family: MetricFamily, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(name: family.name, labels: checked(family, labels), help: family.help)
    }

    func gauge(_ family: MetricFamily, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(name: family.name, labels: checked(family, labels), help: family.help)
    }

    func histogram(_ family: MetricFamily, _ labels: [(String, String)] = []) -> DurationHistogram {
        guard case .histogram(let buckets) = family.kind else { preconditionFailure("\(family.name) is not a histogram") }
        return registry.makeDurationHistogram(name: family.name, labels: checked(family, labels), buckets: buckets, help: family.help)
    }

    private func register(_ family: MetricFamily, _ labels: [(String, String)]) {
        switch family.kind {
        case .counter: _ = counter(family, labels)
        case .gauge: _ = gauge(family, labels)
        case .histogram: _ = histogram(family, labels)
        }
    }

    private func checked(_ family: MetricFamily, _ labels: [(String, String)]) -> [(String, String)] {
        assert(labels.map(\.0) == family.labels, "\(family.name) has the labels \(family.labels)")
        return labels
    }

    // MARK: Exposition

    /// The registry in the Prometheus text exposition format, plus the
    /// `# HELP` and `# TYPE` lines of families that have no series yet.
    public func exposition() -> String {
        var text = registry.emitToString()
        for family in Self.families where !text.contains("# TYPE \(family.name) ") {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.kind.typeName)\n"
        }
        return text
    }
}
