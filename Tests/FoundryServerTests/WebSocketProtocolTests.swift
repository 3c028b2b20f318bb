import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// RFC 6455 as the NIO gateway (`WebSocketPeer`) speaks it, checked frame by
/// frame with a bare TCP client, and the HTTP side of `/ws/project/{id}`.
@Suite("WebSocket protocol")
struct WebSocketProtocolTests {
    /// A server with project onco and a bare socket of alice that has joined it.
    private static func joined(_ api: APIClient) async throws -> RawWebSocket {
        try await RealtimeTests.project(api)
        return try await WebSocketLivenessTests.raw(api, "alice")
    }

    /// The next server message that answers a client message (PONG or ERROR), skipping broadcasts.
    private static func answer(_ socket: RawWebSocket) async throws -> Frame? {
        try await blocking { socket.nextFrame { ["PONG", "ERROR"].contains($0.json?.type) }?.json }
    }

    @Test("Ping frames are answered with their payload; fragmented text is assembled; binary gets INVALID_JSON and the socket stays")
    func framesAnswered() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let socket = try await Self.joined(api)

            #expect(socket.sendFrame(RawWebSocket.Opcode.ping, payload: Array("abc".utf8)))
            let pong = try await blocking { socket.nextFrame { $0.opcode == RawWebSocket.Opcode.pong } }
            #expect(pong?.text == "abc")
            #expect(pong?.fin == true && pong?.masked == false)

            let message = Array(#"{"type":"PING","ref":"7"}"#.utf8)
            #expect(socket.sendFrame(RawWebSocket.Opcode.text, fin: false, payload: Array(message[..<10])))
            #expect(socket.sendFrame(RawWebSocket.Opcode.continuation, fin: true, payload: Array(message[10...])))
            let assembled = try #require(try await Self.answer(socket))
            #expect(assembled.type == "PONG", "\(assembled.data)")
            #expect(assembled["ref"]?.string == "7")

            #expect(socket.sendFrame(RawWebSocket.Opcode.binary, payload: Array(#"{"type":"PING","ref":"b"}"#.utf8)))
            let refused = try #require(try await Self.answer(socket))
            #expect(refused.type == "ERROR")
            #expect(refused["code"]?.string == "INVALID_JSON")

            #expect(socket.sendText(#"{"type":"PING","ref":"8"}"#))
            let after = try #require(try await Self.answer(socket))
            #expect(after.type == "PONG")
            #expect(after["ref"]?.string == "8")
        }
    }

    @Test("A text message that is not UTF-8 is closed with 1007")
    func invalidUTF8() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let socket = try await Self.joined(api)
            #expect(socket.sendFrame(RawWebSocket.Opcode.text, payload: [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))
            let close = try await blocking { socket.nextClose() }
            #expect(close?.code == 1007, "\(String(describing: close))")
            #expect(close?.reason == "text message is not UTF-8")
            #expect(try await blocking { socket.readsEOF() })
        }
    }

    @Test("A message over maxMessageBytes sent in small fragments is closed with 1009")
    func fragmentedTooLarge() async throws {
        let server = try await TestServer { $0.maxMessageBytes = 4096 }
        defer { server.cleanup() }
        try await server.run { api in
            let socket = try await Self.joined(api)
            // A valid PING of 5,000 bytes in five fragments of 1,000: each frame is far
            // under the limit, the message is not. Without the check it would get a PONG.
            let head = #"{"type":"PING","ref":""#, tail = #""}"#
            let message = Array((head + String(repeating: "x", count: 5000 - head.utf8.count - tail.utf8.count) + tail).utf8)
            #expect(message.count == 5000)
            for index in 0..<5 {
                let opcode = index == 0 ? RawWebSocket.Opcode.text : RawWebSocket.Opcode.continuation
                #expect(socket.sendFrame(opcode, fin: index == 4, payload: Array(message[index * 1000..<(index + 1) * 1000])))
            }
            let close = try await blocking { socket.nextFrame { $0.opcode == RawWebSocket.Opcode.close || $0.json?.type == "PONG" } }
            #expect(close?.close?.code == 1009, "\(String(describing: close?.close)) \(String(describing: close?.json?.type))")
            #expect(close?.close?.reason == "message larger than 4096 bytes")
            #expect(try await blocking { socket.readsEOF() })
        }
    }

    @Test("A client close frame (1000) is answered with a close frame, then the server closes the connection")
    func closeHandshake() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let observer = try await RealtimeTests.observer(api, "bob")
            defer { observer.close() }
            let socket = try await WebSocketLivenessTests.raw(api, "alice")
            #expect(socket.sendFrame(RawWebSocket.Opcode.close, payload: [0x03, 0xe8] + Array("bye".utf8)))
            let close = try await blocking { socket.nextClose() }
            #expect(close?.code == 1000, "\(String(describing: close))")
            #expect(try await blocking { socket.readsEOF() }, "the server kept the TCP connection open")
            #expect(await observer.next("USER_LEFT") { $0["user"]?.string == "alice" } != nil)
        }
    }

    @Test("GET /ws/project/onco without an upgrade: 426 UPGRADE_REQUIRED with a token, 401 without")
    func plainGet() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await RealtimeTests.project(api)
            let alice = try await server.token("alice")
            let plain = try await api.request(.get, "/ws/project/onco", token: alice)
            #expect(plain.status.code == 426)
            #expect(plain.errorCode == "UPGRADE_REQUIRED")
            let anonymous = try await api.request(.get, "/ws/project/onco", token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.errorCode == "UNAUTHORIZED")
        }
    }

    @Test("A request to another path asking for an upgrade (websocket, or h2c as curl --http2 sends) is answered as plain HTTP")
    func upgradeHeadersElsewhere() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let port = api.port
            let upgrades = [
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
                "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n",
            ]
            for upgrade in upgrades {
                let health = try await blocking { Result { try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + upgrade + "\r\n") } }
                let reply = try? health.get().reply
                #expect(reply?.status == 200, "\(upgrade): \(health)")
                #expect(reply?.headers["upgrade"] == nil, "\(upgrade): \(String(describing: reply?.headers))")
                #expect(reply?.json["root_writable"] as? Bool == true, "\(upgrade): \(String(describing: reply?.text))")
            }
        }
    }

    @Test("A request with more header fields than Hummingbird allows (1,000) is not served, its connection is closed, and the server answers the next one")
    func headerFieldLimit() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let port = api.port
            let many = (0..<1_500).map { "X-Filler-\($0): x\r\n" }.joined()
            let flooded = try await blocking { try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + "\r\n") }
            #expect(flooded.reply?.status != 200, "1,500 header fields were served: \(String(describing: flooded.reply))")
            // Closed by the server, not left open until the client's read timeout.
            #expect(flooded.closed, "the connection hung instead of closing")
            let next = try await blocking { try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") }
            #expect(next.reply?.status == 200)
        }
    }

    /// Sends `request` on a fresh loopback connection and reads until one
    /// whole response came or the connection ended: the response if any, and
    /// whether the server ended the connection (end of stream or reset)
    /// rather than the client's read timing out.
    private static func exchange(port: Int, _ request: String) throws -> (reply: HTTPReply?, closed: Bool) {
        let fd = try connectLoopback(port: port, timeout: Int(failureBound))
        defer { close(fd) }
        guard request.withCString({ send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }) == request.utf8.count else { throw HTTPFailure.send(errno: errno) }
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let reply = try? BlockingHTTP.parse(received) { return (reply, false) }
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let closed = count == 0 || errno == ECONNRESET
                return (try? BlockingHTTP.parse(received), closed)
            }
            received.append(contentsOf: chunk[0..<count])
        }
    }
}
