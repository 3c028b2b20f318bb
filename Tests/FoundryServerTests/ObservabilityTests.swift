import Foundation
@testable import FoundryServer
import FoundryWatch
import Logging
import Synchronization
import Testing

/// `/metrics`, `/health` and the JSON log lines of a real server.
@Suite("Observability")
struct ObservabilityTests {
    /// Sample lines of the Prometheus text format, `name{labels}` → value.
    static func samples(_ api: APIClient) async throws -> [String: Double] {
        let response = try await api.request(.get, "/metrics", token: nil)
        #expect(response.status == .ok)
        return samples(in: response.text)
    }

    static func samples(in text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test("Metrics count sockets, lock outcomes, hold time, saves, broadcasts, watcher events and HTTP routes, without a token")
    func metrics() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await AccessControlTests.project(api)
            let (alice, bob) = (try await server.token("alice"), try await server.token("bob"))
            let socket = try await RealtimeTests.socket(api, "bob", session: "bob-tab")
            _ = await socket.next("SNAPSHOT")
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: bob)
            _ = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": "v2\n"]])
            _ = await socket.next("DRAFT_SAVED")
            _ = await socket.next("LOCK_RELEASED")

            let during = try await Self.samples(api)
            #expect(during["foundry_websocket_connections"] == 1)
            #expect(during[#"foundry_websocket_connections_by_project{project="onco"}"#] == 1)
            #expect(during[#"foundry_lock_requests_total{outcome="granted"}"#] == 1)
            #expect(during[#"foundry_lock_requests_total{outcome="denied"}"#] == 1)
            #expect(during["foundry_lock_hold_seconds_count"] == 1)
            #expect(during["foundry_save_seconds_count"] == 1)
            #expect((during["foundry_broadcast_seconds_count"] ?? 0) >= 2)
            #expect((during[#"foundry_watcher_events_total{kind="draft_created"}"#] ?? 0) >= 1)
            #expect(during[#"foundry_http_requests_total{route="/projects/{id}/drafts",method="POST",status="201"}"#] == 1)
            #expect(during[#"foundry_http_requests_total{route="/projects/{id}/locks/**",method="PUT",status="423"}"#] == 1)

            socket.close()
            #expect(await socket.waitForEnd(), "the client did not close its connection")
            // The gauge drops as the server notices the close.
            #expect(await eventually { (try? await Self.samples(api))?["foundry_websocket_connections"] == 0 })
        }
    }

    @Test("A fresh server's /metrics shows every family with HELP and TYPE: gauges and counters at 0, histograms with empty buckets")
    func metricsFromTheStart() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let response = try await api.request(.get, "/metrics", token: nil)
            #expect(response.status == .ok)
            let lines = Set(response.text.split(separator: "\n").map(String.init))
            // The families the operations documentation lists, and any the sources add to the list.
            let documented = [
                "foundry_websocket_connections": "gauge", "foundry_websocket_connections_by_project": "gauge",
                "foundry_lock_requests_total": "counter", "foundry_lock_hold_seconds": "histogram", "foundry_save_seconds": "histogram",
                "foundry_broadcast_seconds": "histogram", "foundry_watcher_events_total": "counter", "foundry_watcher_overflows_total": "counter",
                "foundry_http_requests_total": "counter", "foundry_http_request_seconds": "histogram",
            ]
            let listed = Dictionary(FoundryMetrics.families.map { ($0.name, $0.kind.typeName) }, uniquingKeysWith: { first, _ in first })
            #expect(Set(documented.keys).isSubset(of: listed.keys), "missing from FoundryMetrics.families: \(Set(documented.keys).subtracting(listed.keys))")
            for (name, type) in listed {
                #expect(lines.contains("# TYPE \(name) \(type)"), "no TYPE line for \(name)")
                #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") && $0.count > "# HELP \(name) ".count + 10 }, "no HELP text for \(name)")
            }

            let samples = Self.samples(in: response.text)
            #expect(samples["foundry_websocket_connections"] == 0)
            #expect(samples["foundry_watcher_overflows_total"] == 0)
            for outcome in ["granted", "refreshed", "denied"] {
                #expect(samples[#"foundry_lock_requests_total{outcome="\#(outcome)"}"#] == 0, "\(outcome)")
            }
            for kind in WatcherEventLabel.allCases {
                #expect(samples[#"foundry_watcher_events_total{kind="\#(kind.rawValue)"}"#] == 0, "\(kind)")
            }
            for histogram in ["foundry_lock_hold_seconds", "foundry_save_seconds", "foundry_broadcast_seconds"] {
                let buckets = samples.filter { $0.key.hasPrefix(histogram + "_bucket{") }
                #expect(buckets.count >= 5 && buckets.values.allSatisfy { $0 == 0 }, "\(histogram): \(buckets)")
                #expect(buckets[histogram + #"_bucket{le="+Inf"}"#] == 0)
                #expect(samples[histogram + "_count"] == 0 && samples[histogram + "_sum"] == 0)
            }
            // Families whose label values come later have no sample yet, only their HELP and TYPE.
            #expect(!samples.keys.contains { $0.hasPrefix("foundry_websocket_connections_by_project") || $0.hasPrefix("foundry_http_request") })
        }
    }

    @Test("Health is 200 with a writable root and a live watcher, 503 naming the watcher once it stopped")
    func health() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let watcher = try WorkspaceWatcher(root: server.root)
        try await server.run(watcher: watcher) { api in
            let healthy = try await api.request(.get, "/health", token: nil)
            #expect(healthy.status == .ok)
            #expect(healthy.json["root_writable"] as? Bool == true && healthy.json["watcher_alive"] as? Bool == true)
            watcher.stop()
            let degraded = try await api.request(.get, "/health", token: nil)
            #expect(degraded.status == .serviceUnavailable)
            #expect(degraded.json["status"] as? String == "degraded" && degraded.json["watcher_alive"] as? Bool == false)
        }
    }

    @Test("With the JSON handler, saves, locks and sockets are one JSON object a line with user, time and delta")
    func jsonLogs() async throws {
        let lines = Mutex<[Data]>([])
        var logger = Logger(label: "foundry") { label in JSONLogHandler(label: label, level: .info) { line in lines.withLock { $0.append(line) } } }
        logger.logLevel = .info
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run(logger: logger) { api in
            try await AccessControlTests.project(api)
            let alice = try await server.token("alice")
            let socket = try await RealtimeTests.socket(api, "bob", session: "bob-tab")
            _ = await socket.next("SNAPSHOT")
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
            _ = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": "version two\n"]])
            socket.close()
        }
        let objects = lines.withLock { $0 }.map { line -> [String: Any] in
            #expect(line.last == UInt8(ascii: "\n") && line.dropLast().firstIndex(of: UInt8(ascii: "\n")) == nil)
            return (try? JSONSerialization.jsonObject(with: line) as? [String: Any]) ?? [:]
        }
        #expect(objects.allSatisfy { $0["ts"] is String && $0["level"] is String && $0["message"] is String })
        let saved = try #require(objects.first { $0["message"] as? String == "draft saved" })
        #expect(saved["user"] as? String == "alice" && saved["version"] as? String == "2")
        #expect(saved["changed"] as? [String] == ["system_prompt"] && saved["delta_bytes"] as? String == "9")
        #expect(objects.contains { $0["message"] as? String == "lock acquired" && $0["field"] as? String == "system_prompt" })
        #expect(objects.contains { $0["message"] as? String == "lock released" && $0["reason"] as? String == "save" })
        #expect(objects.contains { $0["message"] as? String == "socket connected" && $0["user"] as? String == "bob" })
    }
}
