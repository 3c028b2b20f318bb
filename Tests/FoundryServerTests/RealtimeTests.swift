import Foundation
import Testing

/// The real-time gateway against a real server with real WebSocket clients.
@Suite("WebSocket gateway")
struct RealtimeTests {
    static func project(_ api: APIClient, id: String = "onco") async throws {
        let alice = try await api.server.token("alice")
        let created = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": id, "fields": ["system_prompt": "v1\n"],
            "members": ["bob": "editor", "carol": "editor", "dave": "editor", "erin": "editor", "slow": "viewer"],
        ])
        #expect(created.status == .created)
    }

    /// Creates the project and a socket of `user` that has received its SNAPSHOT.
    static func observer(_ api: APIClient, _ user: String = "bob") async throws -> TestSocket {
        try await project(api)
        let socket = try await socket(api, user, session: "\(user)-tab")
        _ = await socket.next("SNAPSHOT")
        return socket
    }

    static func socket(_ api: APIClient, _ user: String, session: String, query: String = "") async throws -> TestSocket {
        let token = try await api.server.token(user)
        return TestSocket(port: api.port, path: "/ws/project/onco?token=\(token)&session=\(session)\(query)")
    }

    @Test("Story A: lock broadcast, denial, 423 on save, save releases, the other user can lock")
    func lockedEdit() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let a = try await Self.socket(api, "alice", session: "alice-tab")
            defer { a.close() }
            let snapshot = try #require(await a.next("SNAPSHOT"))
            #expect(snapshot["head_version"]?.int == 1)
            let b = try await Self.socket(api, "bob", session: "bob-tab")
            defer { b.close() }
            _ = await b.next("SNAPSHOT")
            #expect(await a.next("USER_JOINED") { $0["user"]?.string == "bob" } != nil)

            a.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt"}"#)
            let acquired = try #require(await b.next("LOCK_ACQUIRED"))
            #expect(acquired["user"]?.string == "alice")
            #expect(acquired["session"]?.string == "alice-tab")
            #expect(acquired.seq != nil)

            b.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt", "ref": "r1"}"#)
            let denied = try #require(await b.next("LOCK_DENIED"))
            #expect(denied["holder"]?.string == "alice")
            #expect(denied["ref"]?.string == "r1")
            #expect(denied.seq == nil)

            let bob = try await server.token("bob")
            let refused = try await api.request(.post, "/projects/onco/drafts", token: bob, json: ["base_version": 1, "fields": ["system_prompt": "bob\n"]], headers: [.init("X-Foundry-Session")!: "bob-tab"])
            #expect(refused.status.code == 423)

            let alice = try await server.token("alice")
            let saved = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": "alice\n"]], headers: [.init("X-Foundry-Session")!: "alice-tab"])
            #expect(saved.status == .created)
            let draft = try #require(await b.next("DRAFT_SAVED"))
            #expect(draft["version"]?.int == 2)
            #expect(draft["author_id"]?.string == "alice")
            #expect(draft["changed"]?.array == [.string("system_prompt")])
            let released = try #require(await b.next("LOCK_RELEASED"))
            #expect(released["reason"]?.string == "save")
            #expect(released.seq! > draft.seq!)

            b.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt"}"#)
            #expect(await a.next("LOCK_ACQUIRED") { $0["user"]?.string == "bob" } != nil)
        }
    }

    @Test("A socket that drops releases its session's locks (reason disconnect) and leaves presence")
    func disconnectReleases() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let a = try await Self.socket(api, "alice", session: "alice-tab")
            let b = try await Self.socket(api, "bob", session: "bob-tab")
            defer { b.close() }
            _ = await a.next("SNAPSHOT")
            _ = await b.next("SNAPSHOT")
            a.send(#"{"type": "LOCK_ACQUIRE", "field": "tests/bec.jsonl"}"#)
            #expect(await b.next("LOCK_ACQUIRED") != nil)
            a.close()
            let released = try #require(await b.next("LOCK_RELEASED"))
            #expect(released["reason"]?.string == "disconnect")
            #expect(released["field"]?.string == "tests/bec.jsonl")
            // USER_LEFT comes first: the socket leaves, then its session's locks are released.
            #expect(b.frames.contains { $0.type == "USER_LEFT" && $0["user"]?.string == "alice" && $0.seq! < released.seq! })
            #expect(!FileManager.default.fileExists(atPath: server.root + "/onco/locks/tests%2Fbec.jsonl.lock"))
        }
    }

    @Test("Two tabs of one user count once in presence")
    func presenceCountsUsers() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let watcher = try await Self.observer(api)
            defer { watcher.close() }
            let tab1 = try await Self.socket(api, "alice", session: "tab-1")
            _ = await tab1.next("SNAPSHOT")
            let tab2 = try await Self.socket(api, "alice", session: "tab-2")
            let snapshot = try #require(await tab2.next("SNAPSHOT"))
            let users = snapshot["users"]?.array ?? []
            #expect(users.contains { $0["user"]?.string == "alice" && $0["connections"]?.int == 1 })
            tab1.close()
            tab2.close()
            #expect(await watcher.next("USER_JOINED") { $0["user"]?.string == "alice" } != nil)
            #expect(await watcher.next("USER_LEFT") { $0["user"]?.string == "alice" } != nil)
            let joins = watcher.frames.filter { $0.type == "USER_JOINED" && $0["user"]?.string == "alice" }
            #expect(joins.count == 1)
        }
    }

    @Test("A lock left unrefreshed expires and is broadcast as LOCK_RELEASED(expired)")
    func expiry() async throws {
        let server = try await TestServer { $0.reapInterval = 0.2 }
        defer { server.cleanup() }
        try await server.run { api in
            let b = try await Self.observer(api)
            defer { b.close() }
            let alice = try await server.token("alice")
            // Taken for a minute first: a lock that expires and is reaped before the watcher
            // reads its file is never announced. Once it is, the holder shortens it to a second.
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice).status == .ok)
            #expect(await b.next("LOCK_ACQUIRED") != nil)
            let shortened = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice, json: ["ttl_seconds": 1])
            #expect(shortened.status == .ok && shortened.json["refreshed"] as? Bool == true, "\(shortened.text)")
            let released = try #require(await b.next("LOCK_RELEASED"))
            #expect(released["reason"]?.string == "expired")
            #expect(released["user"]?.string == "alice")
        }
    }

    @Test("A draft imported by the CLI in another process is broadcast")
    func cliImportBroadcast() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let b = try await Self.observer(api)
            defer { b.close() }
            let root = server.root
            let imported = try await blocking { try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "carol", "--root", root]) }
            #expect(imported.status == 0, "\(imported.output)")
            let draft = try #require(await b.next("DRAFT_SAVED"))
            #expect(draft["author_id"]?.string == "carol")
            #expect(draft["kind"]?.string == "import")
            #expect(draft["version"]?.int == 2)
        }
    }

    @Test("Resuming with ?since= replays exactly the missed events in order; too old a cursor gets RESYNC")
    func resume() async throws {
        let server = try await TestServer { $0.eventLogSize = 6 }
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let a = try await Self.socket(api, "alice", session: "alice-tab")
            defer { a.close() }
            let first = try #require(await a.next("SNAPSHOT"))
            let epoch = try #require(first["epoch"]?.string)
            let c = try await Self.socket(api, "carol", session: "carol-tab")
            let snapshot = try #require(await c.next("SNAPSHOT"))
            _ = await c.next("USER_JOINED") { $0["user"]?.string == "carol" }
            let cursor = try #require(c.frames.compactMap(\.seq).max())
            c.close()
            _ = await a.next("USER_LEFT") { $0["user"]?.string == "carol" }
            a.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt"}"#)
            _ = await a.next("LOCK_ACQUIRED")
            a.send(#"{"type": "LOCK_RELEASE", "field": "system_prompt"}"#)
            let lastMissed = try #require(await a.next("LOCK_RELEASED"))
            #expect(snapshot.seq != nil)

            let resumed = try await Self.socket(api, "carol", session: "carol-tab", query: "&since=\(cursor)&epoch=\(epoch)")
            defer { resumed.close() }
            _ = await resumed.next("USER_JOINED") { $0["user"]?.string == "carol" }
            let replay = resumed.frames.filter { $0.seq! <= lastMissed.seq! }
            #expect(replay.map(\.seq!) == Array((cursor + 1)...lastMissed.seq!))
            #expect(replay.map(\.type) == ["USER_LEFT", "LOCK_ACQUIRED", "LOCK_RELEASED"])
            #expect(!resumed.frames.contains { $0.type == "SNAPSHOT" })

            for _ in 0..<4 {
                a.send(#"{"type": "LOCK_ACQUIRE", "field": "model_config.json"}"#)
                _ = await a.next("LOCK_ACQUIRED")
                a.send(#"{"type": "LOCK_RELEASE", "field": "model_config.json"}"#)
                _ = await a.next("LOCK_RELEASED")
            }
            let stale = try await Self.socket(api, "dave", session: "dave-tab", query: "&since=\(cursor)&epoch=\(epoch)")
            defer { stale.close() }
            let resync = try #require(await stale.next("RESYNC"))
            #expect(resync["head_version"]?.int == 1)
            let otherRun = try await Self.socket(api, "erin", session: "erin-tab", query: "&since=\(lastMissed.seq!)&epoch=another-run")
            defer { otherRun.close() }
            #expect(await otherRun.next("RESYNC") != nil)
        }
    }
}
