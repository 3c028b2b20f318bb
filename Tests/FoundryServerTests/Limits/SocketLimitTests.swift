import Foundation
@testable import FoundryServer
import Testing

/// Socket limits per user and session, and the queue that admits a
/// reconnect storm, on real WebSockets (read byte for byte, so every close
/// frame is seen).
@Suite("Socket limits")
struct SocketLimitTests {
    static func socket(_ port: Int, _ token: String, session: String) throws -> RawWebSocket {
        try RawWebSocket(port: port, path: "/ws/project/onco?token=\(token)&session=\(session)")
    }

    static func socketConnectedLines(_ root: String) -> Int {
        let audit = String(decoding: FileManager.default.contents(atPath: root + "/onco/audit.jsonl") ?? Data(), as: UTF8.self)
        return audit.components(separatedBy: #""type":"socket.connected""#).count - 1
    }

    @Test("A user past the socket limits is closed with 1008 TOO_MANY_SOCKETS, recording nothing, while other users connect")
    func perUserAndSessionLimits() async throws {
        let server = try await TestServer {
            $0.limits.maxSocketsPerUser = 3
            $0.limits.maxSocketsPerSession = 2
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RealtimeTests.project(api)
            let (alice, bob, port, root) = (try await server.token("alice"), try await server.token("bob"), api.port, server.root)
            try await blocking {
                var open: [RawWebSocket] = []
                func admitted(_ session: String) throws {
                    let socket = try Self.socket(port, alice, session: session)
                    #expect(socket.nextMessage("SNAPSHOT") != nil)
                    open.append(socket)
                }
                try admitted("a")
                try admitted("a")
                let thirdInSession = try Self.socket(port, alice, session: "a").nextClose()
                try admitted("b")
                let fourthOfUser = try Self.socket(port, alice, session: "c").nextClose()
                #expect(thirdInSession?.code == 1008 && thirdInSession?.reason.hasPrefix("TOO_MANY_SOCKETS retry_after=30: session a has 2 sockets") == true,
                        "\(String(describing: thirdInSession))")
                #expect(fourthOfUser?.code == 1008 && fourthOfUser?.reason.hasPrefix("TOO_MANY_SOCKETS retry_after=30: user alice has 3 sockets") == true,
                        "\(String(describing: fourthOfUser))")
                let other = try Self.socket(port, bob, session: "bob-tab")
                #expect(other.nextMessage("SNAPSHOT") != nil, "another user connects")
                #expect(Self.socketConnectedLines(root) == 4, "refused sockets record nothing")

                // Once the server has seen one of alice's sockets close, she may open one again.
                open.removeFirst()
                #expect(pollUntil { (try? Self.socket(port, alice, session: "c"))?.nextMessage("SNAPSHOT") != nil })
                withExtendedLifetime((open, other)) {}
            }
            let metrics = try await api.request(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"foundry_refusals_total{reason="sockets_per_session"} 1"#))
            #expect(metrics.contains(#"foundry_refusals_total{reason="sockets_per_user"}"#))
        }
    }

    @Test("Joins take turns: past the queue a socket is closed with 1013 and a retry hint; the waiting ones join once the disk is free")
    func joinQueueRefusesPastItsLimit() async throws {
        let server = try await TestServer {
            $0.limits.concurrentJoins = 1
            $0.limits.maxQueuedJoins = 1
            $0.limits.maxJoinWait = 0
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RealtimeTests.project(api)
            let alice = try await server.token("alice")
            try await WriteLoadTests.create(["quiet"], api: api, token: alice)
            let (port, root) = (api.port, server.root)
            // The first join waits for the project's flock (its audit line), the second for the first.
            let held = try WriteLoadTests.holdMutexes(of: ["onco"], root: root)
            let (waiting, refused) = try await blocking {
                let waiting = try (0..<2).map { try Self.socket(port, alice, session: "tab-\($0)") }
                #expect(pollUntil { (try? serverMetric("foundry_socket_joins_waiting", port: port)) == 1 })
                return (waiting, try Self.socket(port, alice, session: "tab-2").nextClose())
            }
            #expect(refused?.code == 1013 && refused?.reason.hasPrefix("SERVER_BUSY retry_after=") == true, "\(String(describing: refused))")
            // HTTP elsewhere is not held up meanwhile.
            #expect(try await api.request(.put, "/projects/quiet/locks/system_prompt", token: alice).status == .ok)
            held.forEach { close($0) }
            try await blocking {
                for socket in waiting { #expect(socket.nextMessage("SNAPSHOT") != nil) }
            }
            #expect(Self.socketConnectedLines(root) == 2)
            let metrics = try await api.request(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"foundry_refusals_total{reason="join_queue"} 1"#))
        }
    }
}
