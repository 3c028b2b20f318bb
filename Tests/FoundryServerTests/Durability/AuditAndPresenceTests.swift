import Foundation
import Testing

@Suite("Newest audit pages and presence over a real server")
struct AuditAndPresenceTests {
    private func seqs(_ response: APIResponse) -> [Int] {
        (response.json["entries"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } ?? []
    }

    @Test("order=newest ends at the trail's last entry and pages back with next_before; bad values are 400")
    func newestFirst() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await RealtimeTests.project(api)
            let alice = try await server.token("alice")
            for version in 1...3 {
                _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
                let saved = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": version, "fields": ["system_prompt": "v\(version + 1)\n"]])
                #expect(saved.status == .created)
            }
            let all = seqs(try await api.request(.get, "/projects/onco/audit?limit=1000", token: alice))
            let newest = try await api.request(.get, "/projects/onco/audit?order=newest&limit=4", token: alice)
            #expect(seqs(newest) == Array(all.suffix(4).reversed()))
            let before = try #require(newest.json["next_before"] as? Int)
            #expect(before == all[all.count - 4])
            let older = try await api.request(.get, "/projects/onco/audit?order=newest&limit=4&before=\(before)", token: alice)
            #expect(seqs(older) == Array(all.dropLast(4).suffix(4).reversed()))
            let saves = try await api.request(.get, "/projects/onco/audit?order=newest&type=draft&limit=2", token: alice)
            #expect((saves.json["entries"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [4, 3])
            #expect(try await api.request(.get, "/projects/onco/audit?order=sideways", token: alice).errorCode == "INVALID_QUERY")
            #expect(try await api.request(.get, "/projects/onco/audit?order=newest&before=0", token: alice).errorCode == "INVALID_QUERY")
        }
    }

    @Test("A viewer that has seen USER_JOINED finds the joiner's socket.connected line in the trail")
    func joinIsRecordedBeforeItIsAnnounced() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let viewer = try await RealtimeTests.observer(api, "carol")
            defer { viewer.close() }
            let joiner = try await RealtimeTests.socket(api, "bob", session: "bob-tab")
            defer { joiner.close() }
            let joined = try #require(await viewer.next("USER_JOINED") { $0["user"]?.string == "bob" })
            #expect(joined["user"]?.string == "bob")
            let snapshot = try #require(await joiner.next("SNAPSHOT"))
            let connection = try #require(snapshot["you"]?["connection"]?.string)
            let trail = try await api.request(.get, "/projects/onco/audit?order=newest&type=socket.connected&user=bob", token: try await server.token("alice"))
            let line = try #require((trail.json["entries"] as? [[String: Any]])?.first)
            #expect((line["data"] as? [String: Any])?["connection"] as? String == connection)
        }
    }
}
