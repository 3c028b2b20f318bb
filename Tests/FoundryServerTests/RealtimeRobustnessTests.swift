import Foundation
import FoundryStore
import HTTPTypes
import Testing
@testable import FoundryWatch

/// The gateway under bad clients, slow clients and lost events.
@Suite("WebSocket gateway robustness")
struct RealtimeRobustnessTests {
    @Test("Unknown project: closed with 4404 and a reason; no or bad token: closed with 4401; a plain GET without token: 401")
    func refusals() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let port = api.port
            let token = try await server.token("alice")
            let forgedToken = try await TokenServerless.forge(user: "alice")
            let closes = try await blocking {
                try ["/ws/project/nope?token=\(token)", "/ws/project/nope", "/ws/project/nope?token=\(forgedToken)"].map {
                    try RawWebSocket(port: port, path: $0).readClose()
                }
            }
            #expect(closes[0]?.code == 4404)
            #expect(closes[0]?.reason == "project 'nope' not found")
            #expect(closes[1]?.code == 4401)
            #expect(closes[1]?.reason.hasPrefix("unauthorized: missing bearer token") == true)
            #expect(closes[2]?.code == 4401)
            #expect(closes[2]?.reason.hasPrefix("unauthorized: invalid bearer token") == true)
            let plain = try await api.request(.get, "/ws/project/nope", token: nil)
            #expect(plain.status == .unauthorized)
            #expect(plain.errorCode == "UNAUTHORIZED")
        }
    }

    @Test("Malformed and unknown messages get an ERROR reply; the socket stays up")
    func badMessages() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let socket = try await RealtimeTests.observer(api, "alice")
            defer { socket.close() }
            socket.send("{not json")
            #expect(await socket.next("ERROR") { $0["code"]?.string == "INVALID_JSON" } != nil)
            socket.send(#"{"type": "DANCE"}"#)
            #expect(await socket.next("ERROR") { $0["code"]?.string == "UNKNOWN_TYPE" } != nil)
            socket.send(#"{"type": "LOCK_ACQUIRE", "field": "../project.json"}"#)
            #expect(await socket.next("ERROR") { $0["code"]?.string == "INVALID_FIELD_NAME" } != nil)
            socket.send(#"{"type": "LOCK_RELEASE", "field": "system_prompt"}"#)
            #expect(await socket.next("ERROR") { $0["code"]?.string == "LOCK_NOT_HELD" } != nil)
            socket.send(#"{"type": "PING", "ref": "p1"}"#)
            #expect(await socket.next("PONG") { $0["ref"]?.string == "p1" } != nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: server.root + "/onco/locks").filter { $0.hasSuffix(".lock") }.isEmpty)

            socket.send(#"{"type": "PING", "ref": ""# + String(repeating: "x", count: 70_000) + #""}"#)
            #expect(await socket.waitForEnd())
            #expect(socket.closeFrame?.closeCode == .messageTooLarge, "\(String(describing: socket.closeFrame))")
        }
    }

    @Test("A client that stops reading is cut off; a fast client keeps every event in order")
    func slowConsumer() async throws {
        let server = try await TestServer { $0.clientQueueLimit = 16 }
        defer { server.cleanup() }
        try await server.run { api in
            // The fast client reads on a thread of its own: a busy cooperative pool must not make it slow too.
            try await RealtimeTests.project(api)
            let fast = try await AnsweringSocket(api, "alice")
            defer { fast.close() }
            let slowToken = try await server.token("slow")
            let port = api.port
            let slow = try await blocking { try RawWebSocket(port: port, path: "/ws/project/onco?token=\(slowToken)&session=slow", receiveBuffer: 2048) }
            #expect(await fast.next("USER_JOINED") { $0["user"]?.string == "slow" } != nil)

            // Kernel send buffers autotune up to 4 MiB here: push well past that with
            // DRAFT_SAVED events that carry 60 KiB messages.
            let alice = try await server.token("alice")
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
            let message = String(repeating: "m", count: 60_000)
            var evicted = false
            for round in 0..<400 where !evicted {
                let saved = try await api.request(.post, "/projects/onco/drafts", token: alice, json: [
                    "base_version": round + 1, "fields": ["system_prompt": "round \(round)\n"], "message": message, "keep_locks": true,
                ])
                #expect(saved.status == .created)
                if round % 5 == 4 {
                    evicted = fast.frames.contains { $0.type == "USER_LEFT" && $0["user"]?.string == "slow" }
                }
            }
            // Cut off once the kernel's buffers and its 16 frames are full, long before the last round.
            #expect(await fast.next("USER_LEFT") { $0["user"]?.string == "slow" } != nil, "the stalled client was never disconnected")
            let seqs = fast.frames.compactMap(\.seq)
            #expect(seqs == Array(seqs.first!...seqs.last!), "the fast client missed or reordered events")
            withExtendedLifetime(slow) {}
        }
    }

    @Test("A real inotify overflow ends in RESYNC: the clients converge on the files")
    func overflowConverges() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try FileManager.default.createDirectory(atPath: server.root, withIntermediateDirectories: true)
        let watcher = try WorkspaceWatcher(root: server.root)
        try await server.run(watcher: watcher) { api in
            let socket = try await RealtimeTests.observer(api)
            defer { socket.close() }

            // The lock's events wait in the kernel queue; the queue then
            // overflows, so the save's events are lost, not merely late.
            await watcher.pause()
            let alice = try await server.token("alice")
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice)
            let locks = server.root + "/onco/locks"
            try await blocking { try watcher.overflowQueue(in: locks) }
            _ = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": "missed\n"], "keep_locks": true])
            watcher.resume()

            let resync = try #require(await socket.next("RESYNC"))
            #expect(resync["head_version"]?.int == 2)
            #expect(resync["locks"]?.array.first?["user"]?.string == "alice")
            #expect(socket.frames.contains { $0.type == "DRAFT_SAVED" && $0["version"]?.int == 2 && $0.seq! < resync.seq! })
            #expect(socket.frames.filter { $0.type == "LOCK_ACQUIRED" }.count == 1)
        }
    }
}
