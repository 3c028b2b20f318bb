import Foundation
import FoundryStore
import HTTPTypes
import Testing

/// Reads the web workspace needed and the API now offers every client: the
/// audit trail newest first, and a bundle's SHA256SUMS.
@Suite("Audit newest first, bundle checksums")
struct ReadRoutesForTheWebTests {
    @Test("GET …/audit?order=newest pages from the newest entry back with next_before; the filters still apply")
    func auditNewestFirst() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await StagingTests.project(api)
            for (user, field) in [("alice", "system_prompt"), ("bob", "topology.yaml"), ("alice", "model_config.json")] {
                let token = try await server.token(user)
                _ = try await api.request(.put, "/projects/onco/locks/\(field)", token: token)
                _ = try await api.request(.delete, "/projects/onco/locks/\(field)", token: token)
            }
            let alice = try await server.token("alice")
            let all = try #require(try await api.request(.get, "/projects/onco/audit?limit=1000", token: alice).json["entries"] as? [[String: Any]])
            let seqs = all.compactMap { $0["seq"] as? Int }
            var pages: [[Int]] = []
            var before: Int? = nil
            repeat {
                let page = try await api.request(.get, "/projects/onco/audit?order=newest&limit=3" + (before.map { "&before=\($0)" } ?? ""), token: alice)
                #expect(page.status == .ok, "\(page.text)")
                pages.append((page.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["seq"] as? Int })
                before = page.json["next_before"] as? Int
                #expect(page.json.keys.contains("next_before"))
            } while before != nil
            #expect(pages.flatMap { $0 } == seqs.reversed())
            #expect(pages.dropLast().allSatisfy { $0.count == 3 })

            let locks = try await api.request(.get, "/projects/onco/audit?order=newest&type=lock&user=alice", token: alice)
            let entries = locks.json["entries"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["type"] as? String } == ["lock.released", "lock.acquired", "lock.released", "lock.acquired"])
            #expect(entries.allSatisfy { $0["user"] as? String == "alice" })
            #expect(locks.json["next_before"] is NSNull)

            let oldest = try await api.request(.get, "/projects/onco/audit?limit=2", token: alice)
            #expect(!oldest.json.keys.contains("next_before"), "the oldest-first answer is unchanged")
            #expect(try await api.request(.get, "/projects/onco/audit?order=sideways", token: alice).errorCode == "INVALID_QUERY")
            #expect(try await api.request(.get, "/projects/onco/audit?order=newest&before=0", token: alice).errorCode == "INVALID_QUERY")
        }
    }

    @Test("GET …/bundles/{name}/SHA256SUMS is the bundle's file byte for byte, for any member")
    func bundleChecksums() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await StagingTests.project(api)
            let alice = try await server.token("alice")
            let vera = try await server.token("vera")
            #expect(try await api.request(.post, "/projects/onco/signatures", token: alice, json: ["version": 1, "meaning": "approved"]).status == .created)
            #expect(try await api.request(.post, "/projects/onco/freeze", token: alice).status == .created)
            let sums = try await api.request(.get, "/projects/onco/bundles/onco-0.1.1/SHA256SUMS", token: vera)
            #expect(sums.status == .ok)
            #expect(sums.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(sums.body == FileManager.default.contents(atPath: server.root + "/onco/bundles/onco-0.1.1/SHA256SUMS"))
            #expect(sums.text.contains("  MANIFEST.json\n") && sums.text.contains("  files/system_prompt\n"))
            #expect(try await api.request(.get, "/projects/onco/bundles/nope/SHA256SUMS", token: vera).errorCode == "BUNDLE_NOT_FOUND")
            #expect(try await api.request(.get, "/projects/onco/bundles/onco-0.1.1/SHA256SUMS", token: try await server.token("mallory")).status == .forbidden)
        }
    }
}
