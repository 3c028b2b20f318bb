import Foundation
import Testing

@Suite("HTTP API behaviour")
struct APIBehaviourTests {
    @Test("Health needs no token and reports a writable root")
    func health() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let health = try await api.request(.get, "/health", token: nil)
            #expect(health.status == .ok)
            #expect(health.json["root_writable"] as? Bool == true)
        }
    }

    @Test("Raw field bytes carry an ETag; If-None-Match gives 304")
    func etag() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            _ = try await api.request(.post, "/projects", token: alice, json: ["name": "x", "id": "p", "fields": ["topology.yaml": "a: 1\n"]])
            let first = try await api.request(.get, "/projects/p/drafts/1/fields/topology.yaml", token: alice)
            #expect(first.text == "a: 1\n")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let again = try await api.request(.get, "/projects/p/drafts/1/fields/topology.yaml", token: alice, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
        }
    }

    @Test("The peer shape prompt_text + model_config (an object) saves the two fields")
    func peerShape() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            _ = try await api.request(.post, "/projects", token: alice, json: ["name": "x", "id": "p"])
            _ = try await api.request(.put, "/projects/p/locks/system_prompt", token: alice)
            _ = try await api.request(.put, "/projects/p/locks/model_config.json", token: alice)
            let saved = try await api.request(.post, "/projects/p/drafts", token: alice, json: [
                "base_version": 0, "prompt_text": "You are careful.\n", "model_config": ["temperature": 0.2, "model": "m"],
            ])
            #expect(saved.status == .created)
            #expect(saved.json["changed"] as? [String] == ["model_config.json", "system_prompt"])
            let config = try await api.request(.get, "/projects/p/drafts/1/fields/model_config.json", token: alice)
            let parsed = try JSONSerialization.jsonObject(with: config.body) as? [String: Any]
            #expect(parsed?["model"] as? String == "m")
        }
    }

    @Test("Locks: acquire, refresh by the holder, list, cancel; the history pages newest first")
    func locksAndHistory() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            _ = try await api.request(.post, "/projects", token: alice, json: ["name": "x", "id": "p", "fields": ["a": "1\n"]])
            let acquired = try await api.request(.put, "/projects/p/locks/a", token: alice)
            let refreshed = try await api.request(.put, "/projects/p/locks/a", token: alice, json: ["ttl_seconds": 120])
            #expect(refreshed.json["refreshed"] as? Bool == true)
            #expect(refreshed.json["token"] as? Int == acquired.json["token"] as? Int)
            let listed = try await api.request(.get, "/projects/p/locks", token: alice)
            #expect((listed.json["locks"] as? [[String: Any]])?.first?["user"] as? String == "alice")
            let cancelled = try await api.request(.delete, "/projects/p/locks/a", token: alice)
            #expect(cancelled.json["reason"] as? String == "cancel")
            #expect(!FileManager.default.fileExists(atPath: server.root + "/p/locks/a.lock"))

            for version in 2...5 {
                _ = try await api.request(.put, "/projects/p/locks/a", token: alice)
                _ = try await api.request(.post, "/projects/p/drafts", token: alice, json: ["base_version": version - 1, "fields": ["a": "\(version)\n"]])
            }
            let page = try await api.request(.get, "/projects/p/drafts?limit=2", token: alice)
            #expect((page.json["drafts"] as? [[String: Any]])?.compactMap { $0["version_number"] as? Int } == [5, 4])
            #expect(page.json["next_before"] as? Int == 4)
            let next = try await api.request(.get, "/projects/p/drafts?limit=2&before=4", token: alice)
            #expect((next.json["drafts"] as? [[String: Any]])?.compactMap { $0["version_number"] as? Int } == [3, 2])
            let projects = try await api.request(.get, "/projects", token: alice)
            #expect((projects.json["projects"] as? [[String: Any]])?.first?["head_version"] as? Int == 5)
        }
    }
}
