import Foundation
import FoundryStore
import Synchronization
import Testing

/// What the NIO gateway (`WebSocketPeer`, the lease keeper) owns about a
/// socket's life: leases kept while connected, pings, and the close at
/// shutdown. Real sockets against a real server.
@Suite("WebSocket liveness")
struct WebSocketLivenessTests {
    /// A bare socket of `user` on project onco that has received its SNAPSHOT
    /// (so it has joined), answering the server's pings until then.
    static func raw(_ api: APIClient, _ user: String) async throws -> RawWebSocket {
        let (token, port) = (try await api.server.token(user), api.port)
        let socket = try await blocking { try RawWebSocket(port: port, path: "/ws/project/onco?token=\(token)") }
        let snapshot = try await blocking { socket.nextMessage("SNAPSHOT", answeringPings: true) }
        #expect(snapshot != nil, "no SNAPSHOT for \(user)")
        return socket
    }

    /// Bob watching project onco, and Alice's socket holding `system_prompt`
    /// (taken over the socket with `ttlSeconds`, or the server's TTL).
    static func aliceHoldsPrompt(_ api: APIClient, ttlSeconds: Int? = nil) async throws -> (observer: TestSocket, alice: TestSocket, acquired: Frame) {
        let observer = try await RealtimeTests.observer(api, "bob")
        let alice = try await RealtimeTests.socket(api, "alice", session: "alice-tab")
        #expect(await alice.next("SNAPSHOT") != nil)
        alice.send(#"{"type":"LOCK_ACQUIRE","field":"system_prompt""# + (ttlSeconds.map { #","ttl_seconds":\#($0)"# } ?? "") + "}")
        let acquired = try #require(await observer.next("LOCK_ACQUIRED"))
        #expect(acquired["user"]?.string == "alice")
        #expect(acquired["field"]?.string == "system_prompt")
        return (observer, alice, acquired)
    }

    /// The lock file of `system_prompt` in project onco.
    static func promptLock(_ server: TestServer) throws -> FieldLock {
        let file = try #require(FileManager.default.contents(atPath: server.root + "/onco/locks/system_prompt.lock"), "the lock file is gone")
        return try JSONDecoder().decode(FieldLock.self, from: file)
    }

    /// Waits until the current lock file of `system_prompt` satisfies `condition` (the lease
    /// keeper renews it on its own schedule); the lock, or `nil` if it never did.
    static func promptLock(_ server: TestServer, until condition: (FieldLock) -> Bool) async -> FieldLock? {
        var found: FieldLock?
        _ = await eventually { found = try? Self.promptLock(server); return found.map(condition) ?? false }
        return found
    }

    @Test("A connected socket keeps its session's locks past their TTL; once it closes they are released (disconnect)")
    func leasesKeptWhileConnected() async throws {
        // A lease is renewed once a third of the TTL has passed, so a renewal
        // may come up to 4 s late before a 6 s lock lapses: the margin of the
        // keeper on a loaded machine, not a guess of the test's.
        let server = try await TestServer { $0.lockTTL = 6; $0.reapInterval = 0.2 }
        defer { server.cleanup() }
        try await server.run { api in
            let (observer, alice, acquired) = try await Self.aliceHoldsPrompt(api)
            defer { observer.close(); alice.close() }
            let firstExpiry = try #require(acquired["expires_at"]?.string.flatMap(Timestamp.date(from:)))

            // Past the first expiry (and the reaper's next pass), the lock is still the same one, renewed.
            try await Task.sleep(until: .now + .seconds(max(0, firstExpiry.timeIntervalSinceNow) + 0.5))
            let lock = try Self.promptLock(server)
            #expect(lock.token == acquired["token"]?.int, "the lock was taken again rather than refreshed")
            #expect(try #require(Timestamp.date(from: lock.expiresAt)) > Date(), "expires_at was not kept moving: \(lock)")
            #expect(!observer.frames.contains { $0.type == "LOCK_RELEASED" }, "the lock of a connected socket ended")

            alice.close()
            let released = try #require(await observer.next("LOCK_RELEASED"))
            #expect(released["reason"]?.string == "disconnect")
            #expect(released["user"]?.string == "alice")
            #expect(!FileManager.default.fileExists(atPath: server.root + "/onco/locks/system_prompt.lock"))
        }
    }

    @Test("A lock taken over a connected socket with a ttl_seconds shorter than the server's TTL is renewed before it ends")
    func shortLeaseRenewed() async throws {
        let server = try await TestServer { $0.lockTTL = 60; $0.reapInterval = 0.2 }
        defer { server.cleanup() }
        try await server.run { api in
            let (observer, alice, acquired) = try await Self.aliceHoldsPrompt(api, ttlSeconds: 10)
            defer { observer.close(); alice.close() }
            // Renewed to the server's TTL on the keeper's next pass (about a second; the lock has ten).
            let renewed = await Self.promptLock(server) { lock in
                Timestamp.date(from: lock.expiresAt).map { $0.timeIntervalSinceNow > 30 } ?? false
            }
            #expect(renewed != nil, "not renewed to the server's TTL")
            #expect(renewed?.token == acquired["token"]?.int)
            #expect(!observer.frames.contains { $0.type == "LOCK_RELEASED" }, "a 10 s lock of a connected socket ended")
        }
    }

    @Test("A client that never answers pings is closed (1001 'ping timeout') and its locks released; clients that answer stay")
    func pingTimeout() async throws {
        // Closed after two unanswered pings. The clients that answer do it from
        // threads of their own, not from Swift's cooperative pool, which a
        // loaded test run may keep busy longer than a ping interval.
        let server = try await TestServer { $0.pingInterval = 1 }
        defer { server.cleanup() }
        try await server.run { api in
            try await RealtimeTests.project(api)
            let observer = try await AnsweringSocket(api, "bob")
            defer { observer.close() }
            let carol = try await AnsweringSocket(api, "carol")
            defer { carol.close() }

            let connecting = ContinuousClock.now
            let silent = try await Self.raw(api, "alice")
            #expect(silent.sendText(#"{"type":"LOCK_ACQUIRE","field":"system_prompt"}"#))
            #expect(try await blocking { silent.nextMessage("LOCK_ACQUIRED", answeringPings: true) } != nil)
            #expect(await observer.next("LOCK_ACQUIRED") { $0["user"]?.string == "alice" } != nil)
            // From here on the client reads (and skips) the pings but never sends a pong.
            let close = try await blocking { silent.nextClose() }
            let closedAfter = ContinuousClock.now - connecting
            #expect(close?.code == 1001, "\(String(describing: close))")
            #expect(close?.reason == "ping timeout")
            #expect(closedAfter >= .milliseconds(1900), "closed before two ping intervals: \(closedAfter)")
            #expect(try await blocking { silent.readsEOF() })
            let released = try #require(await observer.next("LOCK_RELEASED"))
            #expect(released["reason"]?.string == "disconnect")
            #expect(released["user"]?.string == "alice")

            // Three more pings each: the clients that answer are still served.
            let (observerPings, carolPings) = (observer.pingsAnswered, carol.pingsAnswered)
            #expect(await eventually { observer.pingsAnswered >= observerPings + 3 && carol.pingsAnswered >= carolPings + 3 })
            #expect(observer.closeFrame == nil && carol.closeFrame == nil)
            #expect(observer.sendText(#"{"type":"LOCK_ACQUIRE","field":"system_prompt"}"#))
            #expect(await carol.next("LOCK_ACQUIRED") { $0["user"]?.string == "bob" } != nil)
            #expect(carol.closeFrame == nil)
        }
    }

    @Test("Stopping the server closes every socket with 1001 'server shutting down'")
    func shutdownClosesSockets() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let reader = Reader()
        try await server.run { api in
            try await RealtimeTests.project(api)
            let socket = try await Self.raw(api, "alice")
            // Leaving this body stops the server (HummingbirdTesting triggers a graceful shutdown).
            reader.start { socket.nextClose(within: 30) }
        }
        let close = try #require(await reader.result)
        #expect(close.code == 1001, "\(close)")
        #expect(close.reason == "server shutting down")
    }
}

/// Reads a socket on a Dispatch thread while the server it talks to stops.
private final class Reader: Sendable {
    private let task = Mutex<Task<(code: UInt16, reason: String)?, any Error>?>(nil)

    func start(_ read: @escaping @Sendable () -> (code: UInt16, reason: String)?) {
        task.withLock { $0 = Task { try await blocking(read) } }
    }

    var result: (code: UInt16, reason: String)? {
        get async throws { try await task.withLock { $0 }?.value }
    }
}
