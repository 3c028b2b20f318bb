import Foundation
import FoundryStore
import Metrics
import Prometheus

/// The server's metrics, served as Prometheus text on `GET /metrics`.
///
/// swift-metrics handles over a swift-prometheus registry owned by this
/// value rather than the process-wide `MetricsSystem`, so that several
/// servers in one process (the tests) each count their own.
///
/// | name | type | labels |
/// |---|---|---|
/// | `foundry_websocket_connections` | gauge | |
/// | `foundry_websocket_connections_by_project` | gauge | project |
/// | `foundry_lock_requests_total` | counter | outcome: granted, refreshed, denied |
/// | `foundry_lock_hold_seconds` | histogram | |
/// | `foundry_save_seconds` | histogram | |
/// | `foundry_broadcast_seconds` | histogram | (watcher event read → frames queued to every socket) |
/// | `foundry_watcher_events_total` | counter | kind |
/// | `foundry_watcher_overflows_total` | counter | |
/// | `foundry_http_requests_total` | counter | route, method, status |
/// | `foundry_http_request_seconds` | histogram | route, method |
public struct FoundryMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Lock outcomes; the contention rate is `denied / sum` of `foundry_lock_requests_total`.
    public enum LockOutcome: String, Sendable { case granted, refreshed, denied }

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(5),
        ]
        factory.durationHistogramBuckets["foundry_lock_hold_seconds"] = [
            .seconds(1), .seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(4 * 3600),
        ]
        self.factory = factory
        registerLimitMetrics()
    }

    func socketOpened(project: String) {
        Meter(label: "foundry_websocket_connections", factory: factory).increment()
        Meter(label: "foundry_websocket_connections_by_project", dimensions: [("project", project)], factory: factory).increment()
    }

    func socketClosed(project: String) {
        Meter(label: "foundry_websocket_connections", factory: factory).decrement()
        Meter(label: "foundry_websocket_connections_by_project", dimensions: [("project", project)], factory: factory).decrement()
    }

    func lockRequest(_ outcome: LockOutcome) {
        Counter(label: "foundry_lock_requests_total", dimensions: [("outcome", outcome.rawValue)], factory: factory).increment()
    }

    /// Records how long a released lock was held (from its `acquired_at`).
    func lockReleased(_ lock: FieldLock, now: Date = Date()) {
        guard let acquired = Timestamp.date(from: lock.acquiredAt) else { return }
        Timer(label: "foundry_lock_hold_seconds", factory: factory).recordSeconds(max(0, now.timeIntervalSince(acquired)))
    }

    func saveTook(_ duration: Duration) {
        Timer(label: "foundry_save_seconds", factory: factory).record(duration: duration)
    }

    func broadcastTook(_ duration: Duration) {
        Timer(label: "foundry_broadcast_seconds", factory: factory).record(duration: duration)
    }

    func watcherEvent(kind: String) {
        Counter(label: "foundry_watcher_events_total", dimensions: [("kind", kind)], factory: factory).increment()
        if kind == "overflow" { Counter(label: "foundry_watcher_overflows_total", factory: factory).increment() }
    }

    func httpRequest(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: "foundry_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory).increment()
        Timer(label: "foundry_http_request_seconds", dimensions: [("route", route), ("method", method)], factory: factory).record(duration: duration)
    }

    /// The registry in the Prometheus text exposition format.
    public func exposition() -> String {
        registry.emitToString()
    }
}

extension Timer {
    func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
