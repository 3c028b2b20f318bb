import Foundation
import HTTPTypes
import Testing

/// Roles over HTTP and WebSocket, the members API and the audit route, on a real server.
@Suite("Access control and the audit trail over the API")
struct AccessControlTests {
    /// `onco` at version 1, owned by alice, with bob editor, rita reviewer, vic viewer.
    static func project(_ api: APIClient) async throws {
        let alice = try await api.server.token("alice")
        let created = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": "onco", "fields": ["system_prompt": "v1\n"],
            "members": ["bob": "editor", "rita": "reviewer", "vic": "viewer"],
        ])
        #expect(created.status == .created)
    }

    @Test("A viewer may read but every write is 403 naming the role, and nothing changes")
    func viewerWrites() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let vic = try await server.token("vic")
            #expect(try await api.request(.get, "/projects/onco", token: vic).status == .ok)
            #expect(try await api.request(.get, "/projects/onco/diff?from=1&to=1", token: vic).status == .ok)
            let before = try snapshot(server.root)
            let writes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.put, "/projects/onco/locks/system_prompt", nil),
                (.delete, "/projects/onco/locks/system_prompt?force=true", nil),
                (.post, "/projects/onco/drafts", ["base_version": 1, "fields": ["system_prompt": "x\n"]]),
                (.post, "/projects/onco/revert", ["to_version": 1]),
                (.post, "/projects/onco/fields/system_prompt/undo", nil),
                (.post, "/projects/onco/fields/system_prompt/redo", nil),
                (.put, "/projects/onco/members/vic", ["role": "owner"]),
                (.delete, "/projects/onco/members/alice", nil),
                (.get, "/projects/onco/audit", nil),
            ]
            for (method, uri, body) in writes {
                let response = body == nil
                    ? try await api.request(method, uri, token: vic)
                    : try await api.request(method, uri, token: vic, json: body!)
                #expect(response.status == .forbidden, "\(method) \(uri)")
                #expect(response.errorCode == "FORBIDDEN")
                #expect(response.errorMessage?.contains("'vic' is a viewer of project 'onco'") == true, "\(response.text)")
            }
            #expect(try snapshot(server.root) == before)
        }
    }

    @Test("Non-members see no project in the listing and get 403; audit is for owners and reviewers only")
    func membershipAndAudit() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let (mallory, bob, rita) = (try await server.token("mallory"), try await server.token("bob"), try await server.token("rita"))
            let listing = try await api.request(.get, "/projects", token: mallory)
            #expect((listing.json["projects"] as? [Any])?.isEmpty == true)
            #expect(try await api.request(.get, "/projects/onco", token: mallory).status == .forbidden)
            #expect((try await api.request(.get, "/projects", token: bob).json["projects"] as? [Any])?.count == 1)
            #expect(try await api.request(.get, "/projects/onco/audit", token: bob).status == .forbidden)
            #expect(try await api.request(.get, "/projects/onco/audit", token: rita).status == .ok)
            // Reviewers comment, they do not edit.
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: rita).status == .forbidden)
        }
    }

    @Test("Owners manage members: a new editor can lock, a removed one cannot; bad roles and the last owner are refused")
    func membersAPI() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let (alice, carol) = (try await server.token("alice"), try await server.token("carol"))
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: carol).status == .forbidden)
            let added = try await api.request(.put, "/projects/onco/members/carol", token: alice, json: ["role": "editor"])
            #expect(added.status == .ok && added.json["role"] as? String == "editor")
            #expect(try await api.request(.get, "/projects/onco/members/carol", token: carol).json["role"] as? String == "editor")
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: carol).status == .ok)
            #expect(try await api.request(.delete, "/projects/onco/locks/system_prompt", token: carol).status == .ok)
            #expect(try await api.request(.delete, "/projects/onco/members/carol", token: alice).status == .noContent)
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: carol).status == .forbidden)

            let badRole = try await api.request(.put, "/projects/onco/members/carol", token: alice, json: ["role": "admin"])
            #expect(badRole.status == .badRequest && badRole.errorCode == "INVALID_JSON")
            let lastOwner = try await api.request(.put, "/projects/onco/members/alice", token: alice, json: ["role": "viewer"])
            #expect(lastOwner.status == .conflict && lastOwner.errorCode == "LAST_OWNER")
            #expect(try await api.request(.delete, "/projects/onco/members/nobody", token: alice).errorCode == "MEMBER_NOT_FOUND")
            let members = try await api.request(.get, "/projects/onco/members", token: alice).json["members"] as? [[String: Any]]
            #expect(members?.compactMap { $0["user"] as? String } == ["alice", "bob", "rita", "vic"])
        }
    }

    @Test("Over the socket a viewer subscribes but its lock messages are refused; a non-member is closed with 4403")
    func socketRoles() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let viewer = try await RealtimeTests.socket(api, "vic", session: "vic-tab")
            defer { viewer.close() }
            #expect(await viewer.next("SNAPSHOT") != nil)
            viewer.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt", "ref": "r1"}"#)
            let refused = await viewer.next("ERROR")
            #expect(refused?["code"]?.string == "FORBIDDEN" && refused?["ref"]?.string == "r1")
            #expect(!FileManager.default.fileExists(atPath: server.root + "/onco/locks/system_prompt.lock"))

            // A reviewer may not touch a lock either, not even one that exists.
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: try await server.token("alice"))
            let reviewer = try await RealtimeTests.socket(api, "rita", session: "rita-tab")
            defer { reviewer.close() }
            #expect(await reviewer.next("SNAPSHOT") != nil)
            for type in ["LOCK_ACQUIRE", "LOCK_REFRESH", "LOCK_RELEASE"] {
                reviewer.send(#"{"type": "\#(type)", "field": "system_prompt", "ref": "\#(type)"}"#)
                let error = await reviewer.next("ERROR") { $0["ref"]?.string == type }
                #expect(error?["code"]?.string == "FORBIDDEN", "\(type)")
            }
            let lock = try await api.request(.get, "/projects/onco/locks", token: try await server.token("vic"))
            #expect(((lock.json["locks"] as? [[String: Any]])?.first?["user"] as? String) == "alice")

            let mallory = try await server.token("mallory")
            let port = api.port
            let close = try await blocking { try RawWebSocket(port: port, path: "/ws/project/onco?token=\(mallory)").readClose() }
            #expect(close?.code == 4403)
            #expect(close?.reason.contains("not a member") == true)
        }
    }

    @Test("The audit route filters by type and user, pages with after/limit, and shows socket sessions")
    func auditRoute() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let (alice, bob) = (try await server.token("alice"), try await server.token("bob"))
            let socket = try await RealtimeTests.socket(api, "bob", session: "bob-tab")
            _ = await socket.next("SNAPSHOT")
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: bob)
            _ = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": "v2\n"]])
            socket.close()
            #expect(await socket.waitForEnd(), "the client did not close its connection")

            // The disconnect entry is written as the server notices the close.
            var types: [String] = []
            _ = try await eventually {
                let all = try await api.request(.get, "/projects/onco/audit", token: alice)
                types = (all.json["entries"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? []
                return types.contains("socket.disconnected")
            }
            #expect(types.contains("socket.connected") && types.contains("socket.disconnected"))
            #expect(types.contains("draft.save"))

            let locks = try await api.request(.get, "/projects/onco/audit?type=lock", token: alice)
            let lockTypes = (locks.json["entries"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
            #expect(lockTypes == ["lock.acquired", "lock.denied", "lock.released"])
            let bobs = try await api.request(.get, "/projects/onco/audit?user=bob&type=lock.denied", token: alice)
            let denied = (bobs.json["entries"] as? [[String: Any]])?.first
            #expect((denied?["data"] as? [String: Any])?["holder"] as? String == "alice")

            let first = try await api.request(.get, "/projects/onco/audit?limit=2", token: alice)
            let next = try #require(first.json["next_after"] as? Int)
            let second = try await api.request(.get, "/projects/onco/audit?limit=2&after=\(next)", token: alice)
            #expect((second.json["entries"] as? [[String: Any]])?.first?["seq"] as? Int == next + 1)
            #expect(try await api.request(.get, "/projects/onco/audit?since=yesterday", token: alice).errorCode == "INVALID_QUERY")
        }
    }
}
